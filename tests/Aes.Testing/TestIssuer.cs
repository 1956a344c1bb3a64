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
        await app.StartAsync();
        return new TestIssuer(app, key, url);
    }

    /// <summary>Command-line settings that make a service trust this issuer, for one state or (none) the confederation.</summary>
    public IEnumerable<string> TrustArguments(string? state = null)
    {
        yield return $"--Identity:TrustedIssuers:test:Issuer={Url}";
        if (state is not null)
        {
            yield return $"--Identity:TrustedIssuers:test:State={state}";
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
