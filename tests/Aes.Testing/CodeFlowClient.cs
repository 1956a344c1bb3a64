using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;

namespace Aes.Testing;

/// <summary>
/// What a browser and the command line do for the code flow with PKCE, step by step over plain HTTP:
/// ask to authorise, get sent to the sign-in page, post the form, follow back, exchange the code.
/// </summary>
public sealed partial class CodeFlowClient(string issuer) : IDisposable
{
    public const string ClientId = "aes-cli";
    public const string RedirectUri = "http://127.0.0.1:7890/callback";
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
    {
        BaseAddress = new Uri(issuer),
    };

    public string Verifier { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public string AuthorizeUrl(string? challenge = null, string clientId = ClientId, string scope = "aes offline_access") =>
        $"connect/authorize?client_id={clientId}&response_type=code&scope={Uri.EscapeDataString(scope)}&state=xyz"
        + $"&redirect_uri={Uri.EscapeDataString(RedirectUri)}"
        + (challenge is null ? "" : $"&code_challenge={challenge}&code_challenge_method=S256");

    public string Challenge => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));

    public Task<HttpResponseMessage> GetAsync(string url) => _http.GetAsync(url);

    /// <summary>Signs in on the issuer's page; returns the response to the form's post.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string loginUrl, string userName, string password)
    {
        var page = await (await _http.GetAsync(loginUrl)).Content.ReadAsStringAsync();
        var antiforgery = HiddenField().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        antiforgery["username"] = userName;
        antiforgery["password"] = password;
        return await _http.PostAsync("account/login", new FormUrlEncodedContent(antiforgery));
    }

    /// <summary>The whole flow for one user; returns the access token.</summary>
    public async Task<string> AccessTokenForAsync(string userName, string password) =>
        (await TokensForAsync(userName, password)).GetProperty("access_token").GetString()!;

    /// <summary>The whole flow for one user; returns the token response.</summary>
    public async Task<JsonElement> TokensForAsync(string userName, string password, string scope = "aes offline_access")
    {
        var toLogin = await _http.GetAsync(AuthorizeUrl(Challenge, scope: scope));
        var signedIn = await SignInAsync(toLogin.Headers.Location!.ToString(), userName, password);
        var backToAuthorize = await _http.GetAsync(signedIn.Headers.Location!.ToString());
        var code = CodeOf(backToAuthorize.Headers.Location!);
        var exchanged = await ExchangeAsync(code, Verifier);
        exchanged.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await exchanged.Content.ReadAsStringAsync()).RootElement;
    }

    public Task<HttpResponseMessage> ExchangeAsync(string code, string verifier) =>
        _http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = ClientId, ["code"] = code,
            ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier,
        }));

    public Task<HttpResponseMessage> PostTokenAsync(Dictionary<string, string> form) =>
        _http.PostAsync("connect/token", new FormUrlEncodedContent(form));

    public static string CodeOf(Uri redirect)
    {
        if (!redirect.ToString().StartsWith(RedirectUri, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The issuer sent the browser to {redirect}, not back to {RedirectUri}.");
        }
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Query);
        return query["code"] ?? throw new InvalidOperationException($"No code in {redirect}");
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenField();

    public void Dispose() => _http.Dispose();
}
