using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Aes.Provisioning.Drivers;
using Aes.Provisioning.Drivers.OpenStack;
using Microsoft.Extensions.Configuration;

namespace Aes.Provisioning.Tests.Drivers;

/// <summary>
/// Which calls the OpenStack client repeats when an answer is lost (the connection closes before the answer, as a proxy
/// restarting does): a create the service refuses twice is repeated, a create it would make twice is not. A fake
/// HTTP handler plays Keystone and Neutron, so the lost answer comes exactly where the test puts it.
/// </summary>
public sealed class OpenStackApiRepeatTests
{
    private sealed class LosesFirstAnswer(string lostPath) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/auth/tokens", StringComparison.Ordinal))
            {
                var token = new JsonObject
                {
                    ["token"] = new JsonObject
                    {
                        ["expires_at"] = DateTime.UtcNow.AddHours(1).ToString("O"),
                        ["catalog"] = new JsonArray(new JsonObject
                        {
                            ["type"] = "network",
                            ["endpoints"] = new JsonArray(new JsonObject { ["interface"] = "public", ["region_id"] = "RegionOne", ["url"] = "http://neutron.test" }),
                        }),
                    },
                };
                var signedIn = new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(token.ToJsonString(), Encoding.UTF8, "application/json") };
                signedIn.Headers.Add("X-Subject-Token", "token");
                return Task.FromResult(signedIn);
            }
            Assert.Equal(lostPath, request.RequestUri.AbsolutePath);
            if (++Calls == 1)
            {
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            }
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created)
            {
                Content = new StringContent("""{"created":true}""", Encoding.UTF8, "application/json"),
            });
        }
    }

    private static OpenStackApi Api(HttpMessageHandler handler)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{FacilityCredentials.Section}:test:ApplicationCredentialId"] = "id",
            [$"{FacilityCredentials.Section}:test:ApplicationCredentialSecret"] = "secret",
        }).Build();
        var http = new HttpClient(handler);
        var account = new OpenStackAccount("http://keystone.test/v3", "RegionOne", "project", "aes", "test", "shared");
        return new OpenStackApi(http, new KeystoneSession(http, configuration, account, TimeProvider.System),
            new OpenStackRetry(Attempts: 3, BaseDelay: TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public async Task A_rule_whose_creation_answer_was_lost_is_sent_again()
    {
        var neutron = new LosesFirstAnswer("/v2.0/security-group-rules");
        var answer = await Api(neutron).SendAsync("network", HttpMethod.Post, "/security-group-rules", new JsonObject(), CancellationToken.None,
            duplicateRefused: true);
        Assert.Equal((HttpStatusCode.Created, 2), (answer.Status, neutron.Calls));
    }

    [Fact]
    public async Task A_creation_the_service_would_make_twice_is_not_repeated_and_says_the_service_was_unreachable()
    {
        var neutron = new LosesFirstAnswer("/v2.0/floatingips");
        var failure = await Assert.ThrowsAsync<FacilityDriverException>(() =>
            Api(neutron).SendAsync("network", HttpMethod.Post, "/floatingips", new JsonObject(), CancellationToken.None));
        Assert.Equal((FacilityFault.Unavailable, 1), (failure.Fault, neutron.Calls));
    }
}
