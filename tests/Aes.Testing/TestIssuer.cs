using System.Security.Claims;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Aes.Testing;

/// <summary>
/// An OpenID Connect issuer of the tests' own, trusted by the services the tests start, the way a state's
/// own provider is trusted by configuration: it publishes its discovery document and keys over HTTP, and
/// signs tokens the services check as they check any other. The harness itself calls as a service, which
/// may name the user it acts for; the identity tests also mint expired, forged and foreign tokens with it.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string HarnessSubject = "aes-test-harness";
    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static TestIssuer? _shared;
    private static TestIssuer? _sharedMalian;

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key;
    private string? _harnessToken;
    private DateTime _harnessTokenRenewAt;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<KeyValuePair<string, object>>> _accounts = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Secret, string RedirectUri)> _clients = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PendingCode> _codes = new();

    private sealed record PendingCode(string ClientId, string RedirectUri, string Challenge, string? Nonce, string Subject);

    private TestIssuer(WebApplication app, RsaSecurityKey key, string url)
    {
        _app = app;
        _key = key;
        Url = url;
    }

    /// <summary>The issuer's address, with its trailing slash, as it writes it in <c>iss</c>.</summary>
    public string Url { get; }

    /// <summary>One issuer for the whole test process, started on first use.</summary>
    public static async Task<TestIssuer> SharedAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            return _shared ??= await StartAsync();
        }
        finally
        {
            SharedGate.Release();
        }
    }

    /// <summary>
    /// Mali's own identity provider for the whole test process, which every marketplace the tests launch trusts for ML only
    /// (<see cref="MalianTrustArguments"/>): its subjects are AES users only through the links Mali's operators make.
    /// </summary>
    public static async Task<TestIssuer> SharedMalianAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            return _sharedMalian ??= await StartAsync();
        }
        finally
        {
            SharedGate.Release();
        }
    }

    /// <summary>Command-line settings that make a service trust this issuer as Mali's own provider.</summary>
    public IEnumerable<string> MalianTrustArguments() => [$"--Identity:TrustedIssuers:ml:Issuer={Url}", "--Identity:TrustedIssuers:ml:State=ML"];

    public static async Task<TestIssuer> StartAsync()
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}/";
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = $"test-{port}" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = url, ["jwks_uri"] = url + "jwks", ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["authorization_endpoint"] = url + "authorize", ["token_endpoint"] = url + "token", ["end_session_endpoint"] = url + "endsession",
            ["response_types_supported"] = new[] { "code" }, ["subject_types_supported"] = new[] { "public" },
            ["code_challenge_methods_supported"] = new[] { "S256" }, ["grant_types_supported"] = new[] { "authorization_code" },
        }));
        app.MapGet("/jwks", () =>
        {
            var parameters = key.Rsa.ExportParameters(false);
            return Results.Json(new { keys = new[] { new Dictionary<string, string>
            {
                ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = key.KeyId,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            } } });
        });
        var issuer = new TestIssuer(app, key, url);
        issuer.MapSignIn();
        await app.StartAsync();
        return issuer;
    }

    /// <summary>
    /// An account people sign in with at this issuer, as a state's provider holds them: its subject, and the claims its access
    /// tokens carry (role, aes_state, aes_grant).
    /// </summary>
    public void AddAccount(string subject, IEnumerable<KeyValuePair<string, object>> claims) => _accounts[subject] = [.. claims];

    private int _sessionsEnded;

    /// <summary>The prefix of an account's claim that its id_token carries and its access token does not.</summary>
    public const string IdTokenOnly = "id_token:";

    /// <summary>How many times someone was sent here to end their session (a client's sign-out).</summary>
    public int SessionsEnded => Volatile.Read(ref _sessionsEnded);

    /// <summary>A confidential client (code + PKCE), such as the portal's at a state's provider.</summary>
    public void RegisterClient(string clientId, string secret, string redirectUri) => _clients[clientId] = (secret, redirectUri);

    /// <summary>
    /// The sign-in of a state's provider, by the protocol (OpenID Connect code flow with PKCE S256, the code in the query):
    /// a page asking for the account, a code bound to the client, its return address and the challenge, and a token
    /// endpoint that checks all three and the client's secret. Any mistake is refused as a real provider would.
    /// </summary>
    private void MapSignIn()
    {
        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var query = request.Query;
            if (!_clients.TryGetValue(query["client_id"].ToString(), out var client) || client.RedirectUri != query["redirect_uri"].ToString()
                || query["response_type"] != "code" || query["code_challenge_method"] != "S256" || string.IsNullOrEmpty(query["code_challenge"]))
            {
                return Results.BadRequest("invalid_request");
            }
            var hidden = string.Concat(new[] { "client_id", "redirect_uri", "code_challenge", "nonce", "state" }.Select(name =>
                $"<input type=\"hidden\" name=\"{name}\" value=\"{System.Net.WebUtility.HtmlEncode(query[name].ToString())}\">"));
            return Results.Content($"""
                <!doctype html><html lang="fr"><head><title>Fournisseur d'identité de l'État</title></head><body>
                <form method="post" action="/authorize">{hidden}
                <label for="state-username">Identifiant</label><input id="state-username" name="username">
                <button type="submit">Se connecter chez le fournisseur de l'État</button></form></body></html>
                """, "text/html; charset=utf-8");
        });
        _app.MapPost("/authorize", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var username = form["username"].ToString();
            if (!_clients.TryGetValue(form["client_id"].ToString(), out var client) || client.RedirectUri != form["redirect_uri"].ToString() || !_accounts.ContainsKey(username))
            {
                return Results.Content("<!doctype html><p role=\"alert\">Identifiant inconnu.</p>", "text/html; charset=utf-8", statusCode: 400);
            }
            var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            _codes[code] = new PendingCode(form["client_id"].ToString(), client.RedirectUri, form["code_challenge"].ToString(),
                form["nonce"].ToString() is { Length: > 0 } nonce ? nonce : null, username);
            return Results.Redirect($"{client.RedirectUri}?code={code}&state={Uri.EscapeDataString(form["state"].ToString())}&iss={Uri.EscapeDataString(Url)}");
        });
        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var clientId = form["client_id"].ToString();
            var secret = form["client_secret"].ToString();
            if (request.Headers.Authorization.ToString() is { Length: > 6 } basic && basic.StartsWith("Basic ", StringComparison.Ordinal))
            {
                var pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2);
                (clientId, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
            }
            var verifier = form["code_verifier"].ToString();
            if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var pending)
                || !_clients.TryGetValue(clientId, out var client) || client.Secret != secret || pending.ClientId != clientId
                || pending.RedirectUri != form["redirect_uri"].ToString()
                || Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier))) != pending.Challenge)
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }
            var account = _accounts[pending.Subject];
            // An account's "id_token:" claims go into its id_token only: what a careless or hostile provider says there.
            var identity = new List<KeyValuePair<string, object>>([.. account.Where(c => c.Key == "name"),
                .. account.Where(c => c.Key.StartsWith(IdTokenOnly, StringComparison.Ordinal)).Select(c => KeyValuePair.Create(c.Key[IdTokenOnly.Length..], c.Value))]);
            account = [.. account.Where(c => !c.Key.StartsWith(IdTokenOnly, StringComparison.Ordinal))];
            if (pending.Nonce is { } nonce)
            {
                identity.Add(KeyValuePair.Create<string, object>("nonce", nonce));
            }
            return Results.Json(new Dictionary<string, object>
            {
                ["access_token"] = Mint(pending.Subject, account), ["token_type"] = "Bearer", ["expires_in"] = 3600,
                ["id_token"] = Mint(pending.Subject, identity, audience: clientId, tokenType: "JWT"),
            });
        });
        // A browser on the sign-in page asks for it; a 404 would be an error in its console.
        _app.MapGet("/favicon.ico", () => Results.NoContent());
        // As Keycloak: the client named, the person named by the id_token this issuer gave that client, and a return to the client's own site.
        _app.MapGet("/endsession", (HttpRequest request) =>
        {
            var query = request.Query;
            var handler = new JsonWebTokenHandler();
            if (!_clients.TryGetValue(query["client_id"].ToString(), out var client) || !handler.CanReadToken(query["id_token_hint"].ToString()))
            {
                return Results.BadRequest("Missing parameters: client_id, id_token_hint");
            }
            var hint = handler.ReadJsonWebToken(query["id_token_hint"].ToString());
            var back = query["post_logout_redirect_uri"].ToString();
            if (hint.Issuer != Url || !hint.Audiences.Contains(query["client_id"].ToString()) || !_accounts.ContainsKey(hint.Subject)
                || (back.Length > 0 && new Uri(back).GetLeftPart(UriPartial.Authority) != new Uri(client.RedirectUri).GetLeftPart(UriPartial.Authority)))
            {
                return Results.BadRequest("invalid_request");
            }
            Interlocked.Increment(ref _sessionsEnded);
            return back.Length > 0
                ? Results.Redirect($"{back}?state={Uri.EscapeDataString(query["state"].ToString())}")
                : Results.Content("<!doctype html><p>Déconnecté.</p>", "text/html; charset=utf-8");
        });
    }

    /// <summary>Command-line settings that make a service trust this issuer, for one state or (none) the confederation.</summary>
    public IEnumerable<string> TrustArguments(string? state = null)
    {
        yield return $"--Identity:TrustedIssuers:test:Issuer={Url}";
        if (state is not null)
        {
            yield return $"--Identity:TrustedIssuers:test:State={state}";
        }
        else
        {
            // The harness sets up what a test needs on every service; the marketplace's own clients keep their lists.
            yield return $"--Identity:ServiceClientMethods:{HarnessSubject}:0=*";
        }
    }

    /// <summary>The key id the issuer publishes its signing key under.</summary>
    public string KeyId => _key.KeyId;

    /// <summary>The issuer's public key in PEM, as anyone can read it from its key set: the secret of the HS256 confusion attack.</summary>
    public string PublicKeyPem => _key.Rsa.ExportSubjectPublicKeyInfoPem();

    /// <summary>A signed access token; the defaults make a valid one, each parameter spoils it in its own way.</summary>
    public string Mint(string subject, IEnumerable<KeyValuePair<string, object>>? claims = null, TimeSpan? lifetime = null,
        DateTime? issuedAt = null, SecurityKey? signWith = null, string? issuer = null, string audience = "aes",
        string tokenType = "at+jwt", string algorithm = SecurityAlgorithms.RsaSha256, string? keyId = null, DateTime? notBefore = null)
    {
        var now = issuedAt ?? DateTime.UtcNow;
        var all = new Dictionary<string, object> { ["sub"] = subject, ["name"] = subject, ["scope"] = "aes" };
        foreach (var claim in claims ?? [])
        {
            all[claim.Key] = claim.Value;
        }
        var key = signWith ?? (keyId is null ? _key : new RsaSecurityKey(_key.Rsa) { KeyId = keyId });
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Url,
            Audience = audience,
            IssuedAt = now,
            NotBefore = notBefore ?? now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            Claims = all,
            TokenType = tokenType,
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    /// <summary>The harness's own token: a service, which names in each request the user it acts for.</summary>
    public string HarnessToken()
    {
        lock (this)
        {
            if (_harnessToken is null || DateTime.UtcNow > _harnessTokenRenewAt)
            {
                _harnessToken = Mint(HarnessSubject, [KeyValuePair.Create<string, object>("role", "service")], TimeSpan.FromHours(2));
                _harnessTokenRenewAt = DateTime.UtcNow.AddHours(1);
            }
            return _harnessToken;
        }
    }

    /// <summary>A channel whose every call carries <paramref name="token"/> (the harness's by default).</summary>
    public GrpcChannel Channel(string address, Func<string>? token = null, HttpMessageHandler? handler = null) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {(token ?? HarnessToken)()}");
                return Task.CompletedTask;
            })),
            UnsafeUseInsecureChannelCallCredentials = true,
        });

    public static ClaimsPrincipal Read(string token) =>
        new(new ClaimsIdentity(new JsonWebTokenHandler().ReadJsonWebToken(token).Claims, "jwt"));

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
