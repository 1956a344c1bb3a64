using System.Net;
using System.Net.Http.Headers;
using Aes.ServiceDefaults.Identity;
using Aes.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aes.Integration.Tests.Identity;

/// <summary>
/// A service trusting two issuers by configuration, as every service does: a confederal one, and Burkina's
/// own provider, trusted for Burkina only. Real HTTP, real keys fetched from each issuer.
/// </summary>
public sealed class TrustedIssuersTests : IAsyncLifetime
{
    private TestIssuer _confederal = null!;
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
        Assert.Equal((HttpStatusCode.OK, "bf-op,BF"), await CallAsync(_burkina.Mint("bf-op", Operator("BF"))));

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
