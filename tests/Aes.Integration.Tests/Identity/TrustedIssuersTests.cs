using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Aes.ServiceDefaults.Identity;
using Aes.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Aes.Integration.Tests.Identity;

/// <summary>
/// A service trusting two issuers by configuration, as every service does: a confederal one, and Burkina's
/// own provider, trusted for Burkina only. Real HTTP, real keys fetched from each issuer.
/// </summary>
public sealed class TrustedIssuersTests : IAsyncLifetime
{
    private static readonly Guid BurkinabeOperator = Guid.NewGuid();
    private static readonly Guid MalianOperator = Guid.NewGuid();
    private TestIssuer _confederal = null!;

    /// <summary>The links tenancy's operators made, as a service's copy holds them.</summary>
    private sealed class Links(Dictionary<string, LinkedUser> links) : IExternalIdentityLinks
    {
        public ValueTask<LinkedUser?> FindAsync(string issuer, string subject, CancellationToken cancellationToken) =>
            ValueTask.FromResult(links.GetValueOrDefault($"{issuer} {subject}"));
    }
    private TestIssuer _burkina = null!;
    private WebApplication _service = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _confederal = await TestIssuer.StartAsync();
        _burkina = await TestIssuer.StartAsync();
        var port = Infra.FreePort();
        var builder = WebApplication.CreateSlimBuilder([
            $"--Identity:Authority={_confederal.Url}",
            $"--Identity:TrustedIssuers:bf:Issuer={_burkina.Url}", "--Identity:TrustedIssuers:bf:State=BF",
        ]);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.AddAesAuthentication();
        builder.Services.AddSingleton<IExternalIdentityLinks>(new Links(new Dictionary<string, LinkedUser>
        {
            [$"{_burkina.Url} bf-op"] = new(BurkinabeOperator, "BF"),
            [$"{_burkina.Url} bf-linked-to-ml"] = new(MalianOperator, "ML"),
        }));
        _service = builder.Build();
        _service.UseAuthentication();
        _service.UseAuthorization();
        _service.MapGet("/who", (HttpContext context) => string.Join(",",
            context.User.FindFirst("sub")?.Value, context.User.FindFirst(AesClaims.IssuerState)?.Value ?? "-")).RequireAuthorization();
        await _service.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    private async Task<(HttpStatusCode Status, string Body)> CallAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/who");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static KeyValuePair<string, object>[] Operator(string state) =>
        [KeyValuePair.Create<string, object>("role", "StateOperator"), KeyValuePair.Create<string, object>("aes_state", state)];

    [Fact]
    public async Task Each_trusted_issuer_is_accepted_and_a_states_own_one_only_for_its_state()
    {
        Assert.Equal((HttpStatusCode.OK, "conf-op,-"), await CallAsync(_confederal.Mint("conf-op", Operator("ML"))));
        // Burkina's subject is read as the AES user Burkina's operator linked it to.
        Assert.Equal((HttpStatusCode.OK, $"{BurkinabeOperator},BF"), await CallAsync(_burkina.Mint("bf-op", Operator("BF"))));
        // Not linked, or linked to a user of another state: nobody.
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_burkina.Mint("bf-stranger", Operator("BF")))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_burkina.Mint("bf-linked-to-ml", Operator("BF")))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_burkina.Mint(MalianOperator.ToString(), Operator("BF")))).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_burkina.Mint("bf-op", Operator("ML")))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_burkina.Mint("bf-svc", [KeyValuePair.Create<string, object>("role", "service")]))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_burkina.Mint("bf-admin", [KeyValuePair.Create<string, object>("role", "ConfederalAdministrator")]))).Status);
    }

    [Fact]
    public async Task Missing_expired_forged_and_untrusted_tokens_get_401()
    {
        await using var stranger = await TestIssuer.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_confederal.Mint("x", issuedAt: DateTime.UtcNow.AddHours(-3), lifetime: TimeSpan.FromHours(1)))).Status);
        // Signed by a key the confederal issuer never published, though it claims to be the confederal issuer.
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(stranger.Mint("x", issuer: _confederal.Url))).Status);
        // Burkina's key cannot vouch for the confederal issuer either.
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(_burkina.Mint("x", issuer: _confederal.Url))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(stranger.Mint("x"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync("not-a-jwt")).Status);
    }

    [Fact]
    public async Task Only_an_access_token_for_aes_signed_by_a_published_key_with_an_allowed_algorithm_and_alive_now_is_accepted()
    {
        var op = Operator("ML");
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(_confederal.Mint("conf-op", op))).Status);
        var refused = new Dictionary<string, string>
        {
            ["a token for another audience"] = _confederal.Mint("conf-op", op, audience: "https://payroll.example"),
            // An id_token says who signed in to a client; it is typed JWT, not at+jwt, even with the right audience.
            ["an id_token"] = _confederal.Mint("conf-op", op, tokenType: "JWT"),
            ["alg none"] = Unsigned(_confederal.Mint("conf-op", op)),
            // The key-confusion attack: the issuer's public key, which anyone can fetch, used as an HMAC secret under its kid.
            ["HS256 keyed with the public key"] = _confederal.Mint("conf-op", op, algorithm: SecurityAlgorithms.HmacSha256,
                signWith: new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_confederal.PublicKeyPem)) { KeyId = _confederal.KeyId }),
            ["expired"] = _confederal.Mint("conf-op", op, issuedAt: DateTime.UtcNow.AddMinutes(-62), lifetime: TimeSpan.FromHours(1)),
            ["not yet valid"] = _confederal.Mint("conf-op", op, notBefore: DateTime.UtcNow.AddMinutes(5)),
            // Signed with the issuer's real key, but naming a key it does not publish (a retired one, say).
            ["an unknown kid"] = _confederal.Mint("conf-op", op, keyId: "retired-2025"),
        };
        foreach (var (kind, token) in refused)
        {
            var (status, body) = await CallAsync(token);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{kind} was let in: {(int)status} {body}");
        }
        // The skew is small, not zero: a token a few seconds from its start, on a clock slightly behind, still works.
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(_confederal.Mint("conf-op", op, notBefore: DateTime.UtcNow.AddSeconds(5)))).Status);
    }

    /// <summary>The same header and claims with <c>alg: none</c> and no signature.</summary>
    private static string Unsigned(string token)
    {
        var parts = token.Split('.');
        var header = JsonNode.Parse(Base64UrlEncoder.Decode(parts[0]))!.AsObject();
        header["alg"] = "none";
        header.Remove("kid");
        return $"{Base64UrlEncoder.Encode(header.ToJsonString())}.{parts[1]}.";
    }

    [Fact]
    public void A_service_refuses_to_start_trusting_an_issuer_whose_keys_would_come_over_http_from_a_host_not_named()
    {
        var stateOverHttp = WebApplication.CreateSlimBuilder([
            $"--Identity:Authority={_confederal.Url}", "--Identity:TrustedIssuers:bf:Issuer=http://idp.gov.bf/", "--Identity:TrustedIssuers:bf:State=BF",
        ]);
        var error = Assert.Throws<InvalidOperationException>(() => stateOverHttp.AddAesAuthentication());
        Assert.Contains("http://idp.gov.bf/", error.Message);
        Assert.Contains("Identity:HttpMetadataHosts", error.Message);

        // Metadata named apart from the issuer is held to the same rule.
        var metadataOverHttp = WebApplication.CreateSlimBuilder([
            "--Identity:TrustedIssuers:bf:Issuer=https://idp.gov.bf/", "--Identity:TrustedIssuers:bf:MetadataAddress=http://idp.gov.bf/.well-known/openid-configuration",
        ]);
        Assert.Contains("Identity:HttpMetadataHosts", Assert.Throws<InvalidOperationException>(() => metadataOverHttp.AddAesAuthentication()).Message);

        // Naming the hosts replaces the loopback default: a cluster names tenancy's in-cluster address, and loopback is then refused.
        var inCluster = WebApplication.CreateSlimBuilder(["--Identity:Authority=http://tenancy:5101/", "--Identity:HttpMetadataHosts:0=tenancy"]);
        inCluster.AddAesAuthentication();
        var loopbackNotNamed = WebApplication.CreateSlimBuilder([$"--Identity:Authority={_confederal.Url}", "--Identity:HttpMetadataHosts:0=tenancy"]);
        Assert.Throws<InvalidOperationException>(() => loopbackNotNamed.AddAesAuthentication());
        var https = WebApplication.CreateSlimBuilder(["--Identity:Authority=https://idp.aes.int/", "--Identity:HttpMetadataHosts:0=tenancy"]);
        https.AddAesAuthentication();
    }

    [Fact]
    public void A_service_without_any_trusted_issuer_does_not_start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddAesAuthentication());
        Assert.Contains("Identity:Authority", error.Message);
        var badState = WebApplication.CreateSlimBuilder(["--Identity:TrustedIssuers:x:Issuer=http://127.0.0.1:1/", "--Identity:TrustedIssuers:x:State=Burkina"]);
        Assert.Contains("state code", Assert.Throws<InvalidOperationException>(() => badState.AddAesAuthentication()).Message);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _service.DisposeAsync();
        await _confederal.DisposeAsync();
        await _burkina.DisposeAsync();
    }
}
