using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Aes.Provisioning.Drivers.OpenStack;

/// <summary>
/// A facility's OpenStack account: where its Keystone is, the region and project, and the name of its
/// credentials in the secret store. The credentials themselves are read from configuration under
/// <c>FacilityCredentials:&lt;reference&gt;</c> (filled from the Dapr secret store in Kubernetes): an
/// application credential (<c>ApplicationCredentialId</c>, <c>ApplicationCredentialSecret</c>), preferred,
/// or a user's password (<c>UserName</c>, <c>Password</c>, <c>UserDomain</c>). They are never stored or logged.
/// </summary>
public sealed record OpenStackAccount(string AuthUrl, string Region, string Project, string ProjectDomain, string CredentialReference, string Network);

/// <summary>A Keystone v3 token and the endpoints its catalogue gives for the account's region.</summary>
public sealed record KeystoneToken(string Value, DateTime ExpiresAt, IReadOnlyDictionary<string, string> Endpoints);

public static class FacilityCredentials
{
    public const string Section = "FacilityCredentials";

    /// <summary>The Keystone authentication body for the account's credentials; throws when the secret store has none.</summary>
    public static JsonObject AuthenticationBody(IConfiguration configuration, OpenStackAccount account)
    {
        var secret = configuration.GetSection($"{Section}:{account.CredentialReference}");
        if (secret["ApplicationCredentialId"] is { Length: > 0 } id && secret["ApplicationCredentialSecret"] is { Length: > 0 } value)
        {
            // An application credential is bound to its project: no scope to give.
            return new JsonObject
            {
                ["auth"] = new JsonObject
                {
                    ["identity"] = new JsonObject
                    {
                        ["methods"] = new JsonArray("application_credential"),
                        ["application_credential"] = new JsonObject { ["id"] = id, ["secret"] = value },
                    },
                },
            };
        }
        if (secret["UserName"] is { Length: > 0 } user && secret["Password"] is { Length: > 0 } password)
        {
            return new JsonObject
            {
                ["auth"] = new JsonObject
                {
                    ["identity"] = new JsonObject
                    {
                        ["methods"] = new JsonArray("password"),
                        ["password"] = new JsonObject
                        {
                            ["user"] = new JsonObject { ["name"] = user, ["password"] = password, ["domain"] = new JsonObject { ["name"] = secret["UserDomain"] ?? "Default" } },
                        },
                    },
                    ["scope"] = new JsonObject
                    {
                        ["project"] = new JsonObject { ["name"] = account.Project, ["domain"] = new JsonObject { ["name"] = account.ProjectDomain } },
                    },
                },
            };
        }
        throw new FacilityDriverException(
            $"no credentials under {Section}:{account.CredentialReference} (ApplicationCredentialId and ApplicationCredentialSecret, or UserName and Password)",
            FacilityFault.Refused);
    }

    public static bool Present(IConfiguration configuration, string reference)
    {
        var secret = configuration.GetSection($"{Section}:{reference}");
        return (secret["ApplicationCredentialId"] is { Length: > 0 } && secret["ApplicationCredentialSecret"] is { Length: > 0 })
            || (secret["UserName"] is { Length: > 0 } && secret["Password"] is { Length: > 0 });
    }
}

/// <summary>
/// Keystone v3 sign-in for one account: a token is kept until shortly before it expires, and a new one is
/// taken early or when a service answers 401 to it. Concurrent callers share one sign-in.
/// </summary>
public sealed class KeystoneSession(HttpClient http, IConfiguration configuration, OpenStackAccount account, TimeProvider clock)
{
    /// <summary>A token is renewed when it has less than this left, so no call goes out with one about to expire.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private KeystoneToken? _token;

    public OpenStackAccount Account => account;

    public async Task<KeystoneToken> TokenAsync(CancellationToken cancellationToken, KeystoneToken? refused = null)
    {
        var current = _token;
        if (current is not null && current != refused && current.ExpiresAt - clock.GetUtcNow().UtcDateTime > RenewBefore)
        {
            return current;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = _token;
            if (current is not null && current != refused && current.ExpiresAt - clock.GetUtcNow().UtcDateTime > RenewBefore)
            {
                return current; // another caller renewed it meanwhile
            }
            return _token = await SignInAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<KeystoneToken> SignInAsync(CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            // With its length: uwsgi's router, in front of many OpenStack APIs, drops a chunked body.
            using var body = new StringContent(FacilityCredentials.AuthenticationBody(configuration, account).ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            response = await http.PostAsync($"{account.AuthUrl.TrimEnd('/')}/auth/tokens", body, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new FacilityDriverException($"Keystone at {account.AuthUrl} cannot be reached: {exception.Message}", FacilityFault.Unavailable, exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FacilityDriverException($"Keystone at {account.AuthUrl} did not answer in time", FacilityFault.Unavailable, exception);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var message = OpenStackErrors.MessageOf(await response.Content.ReadAsStringAsync(cancellationToken));
                throw new FacilityDriverException($"Keystone refused the sign-in ({(int)response.StatusCode}): {message}",
                    (int)response.StatusCode >= 500 ? FacilityFault.Unavailable : FacilityFault.Refused);
            }
            var value = response.Headers.TryGetValues("X-Subject-Token", out var values) ? values.First() : throw new FacilityDriverException("Keystone gave no token");
            var token = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["token"]!;
            var endpoints = new Dictionary<string, string>();
            foreach (var service in token["catalog"]?.AsArray() ?? [])
            {
                var endpoint = service!["endpoints"]!.AsArray().FirstOrDefault(e =>
                    e!["interface"]!.GetValue<string>() == "public" && (e["region_id"]?.GetValue<string>() ?? e["region"]?.GetValue<string>()) == account.Region);
                if (endpoint is not null)
                {
                    endpoints[service["type"]!.GetValue<string>()] = endpoint["url"]!.GetValue<string>().TrimEnd('/');
                }
            }
            return new KeystoneToken(value, token["expires_at"]!.GetValue<DateTime>().ToUniversalTime(), endpoints);
        }
    }

    /// <summary>Whether <paramref name="status"/> says the token was refused, so the caller signs in again once.</summary>
    public static bool Refused(HttpStatusCode status) => status == HttpStatusCode.Unauthorized;
}
