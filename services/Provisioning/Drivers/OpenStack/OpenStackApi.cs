using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Aes.Provisioning.Drivers.OpenStack;

public static class OpenStackErrors
{
    /// <summary>
    /// The message an OpenStack service gives with an error: Nova's <c>{"forbidden":{"code":403,"message":…}}</c>,
    /// Neutron's <c>{"NeutronError":{"message":…}}</c>, Keystone's <c>{"error":{"message":…}}</c>, or the text itself.
    /// </summary>
    public static string MessageOf(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject error)
            {
                foreach (var (_, value) in error)
                {
                    if (value is JsonObject inner && inner["message"]?.GetValue<string>() is { Length: > 0 } message)
                    {
                        return message.Trim();
                    }
                }
                if (error["message"]?.GetValue<string>() is { Length: > 0 } direct)
                {
                    return direct.Trim();
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: an HTML page or plain text (a proxy's, or Nova's 404 for an unknown route).
        }
        var text = System.Text.RegularExpressions.Regex.Replace(body, "<[^>]+>", " ").Trim();
        return text.Length <= 300 ? text : text[..300];
    }
}

/// <summary>One answer of an OpenStack API: its status and its JSON, if any.</summary>
public sealed record OpenStackAnswer(HttpStatusCode Status, JsonNode? Body);

/// <summary>
/// Calls one account's OpenStack APIs, found in its Keystone catalogue, with its token: a refused token is
/// renewed once; what is safe to repeat (GET, PUT, DELETE, and a create the service refuses twice with 409) is
/// retried with backoff when the service is unreachable, its answer is lost, or it answers 5xx; every other failure
/// surfaces with the service's own message.
/// </summary>
public sealed class OpenStackApi(HttpClient http, KeystoneSession session, OpenStackRetry retry)
{
    /// <summary>The compute API's microversion this driver is written against (2.79 or later gives what it reads).</summary>
    public const string ComputeMicroversion = "2.90";

    public KeystoneSession Session => session;

    /// <summary>
    /// Sends the call; 404 is an answer (the caller knows what it means), any other failure a <see cref="FacilityDriverException"/>.
    /// <paramref name="duplicateRefused"/>: a POST the service refuses with 409 when what it creates exists (a security group
    /// rule), which the caller takes as done: repeated like a GET when its answer is lost.
    /// </summary>
    public async Task<OpenStackAnswer> SendAsync(string service, HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken,
        bool duplicateRefused = false)
    {
        var repeatable = method == HttpMethod.Get || method == HttpMethod.Put || method == HttpMethod.Delete || (method == HttpMethod.Post && duplicateRefused);
        for (var attempt = 1; ; attempt++)
        {
            OpenStackAnswer answer;
            try
            {
                answer = await SendOnceAsync(service, method, path, body, cancellationToken);
            }
            catch (FacilityDriverException exception) when (exception.Fault == FacilityFault.Unavailable && repeatable && attempt < retry.Attempts)
            {
                await Task.Delay(retry.Delay(attempt), cancellationToken);
                continue;
            }
            if ((int)answer.Status >= 500 && repeatable && attempt < retry.Attempts)
            {
                await Task.Delay(retry.Delay(attempt), cancellationToken);
                continue;
            }
            if (answer.Status == HttpStatusCode.NotFound || (int)answer.Status < 400)
            {
                return answer;
            }
            var message = answer.Body is null ? "" : OpenStackErrors.MessageOf(answer.Body.ToJsonString());
            throw new FacilityDriverException($"{service} answered {(int)answer.Status}: {message}",
                (int)answer.Status >= 500 ? FacilityFault.Unavailable : FacilityFault.Refused);
        }
    }

    private async Task<OpenStackAnswer> SendOnceAsync(string service, HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        var token = await session.TokenAsync(cancellationToken);
        var answer = await SendWithTokenAsync(token, service, method, path, body, cancellationToken);
        if (KeystoneSession.Refused(answer.Status))
        {
            // Revoked or expired early: one new sign-in, then the service's answer stands.
            answer = await SendWithTokenAsync(await session.TokenAsync(cancellationToken, refused: token), service, method, path, body, cancellationToken);
        }
        return answer;
    }

    private async Task<OpenStackAnswer> SendWithTokenAsync(KeystoneToken token, string service, HttpMethod method, string path, JsonNode? body,
        CancellationToken cancellationToken)
    {
        var baseUrl = token.Endpoints.GetValueOrDefault(service)
            ?? throw new FacilityDriverException($"the Keystone catalogue of {session.Account.AuthUrl} names no {service} endpoint in {session.Account.Region}");
        using var request = new HttpRequestMessage(method, baseUrl + VersionPrefix(service, baseUrl) + path);
        request.Headers.Add("X-Auth-Token", token.Value);
        if (method == HttpMethod.Delete)
        {
            // Neutron behind uwsgi answers a DELETE's 204 with a chunked terminator ("0") the 204 may not carry: a connection
            // reused after it reads that as the next answer's status line. A DELETE closes its connection instead.
            request.Headers.ConnectionClose = true;
        }
        if (service == "compute")
        {
            request.Headers.Add("OpenStack-API-Version", $"compute {ComputeMicroversion}");
        }
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? json = null;
            if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
            {
                json = JsonNode.Parse(text);
            }
            else if (text.Length > 0 && (int)response.StatusCode >= 400)
            {
                json = new JsonObject { ["message"] = OpenStackErrors.MessageOf(text) };
            }
            return new OpenStackAnswer(response.StatusCode, json);
        }
        catch (HttpRequestException exception)
        {
            throw new FacilityDriverException($"{service} at {baseUrl} cannot be reached: {exception.Message}", FacilityFault.Unavailable, exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FacilityDriverException($"{service} at {baseUrl} did not answer in time", FacilityFault.Unavailable, exception);
        }
    }

    /// <summary>Glance and Neutron catalogue entries often name the service's root, without its API version.</summary>
    private static string VersionPrefix(string service, string baseUrl) => service switch
    {
        "image" when !baseUrl.EndsWith("/v2", StringComparison.Ordinal) => "/v2",
        "network" when !baseUrl.EndsWith("/v2.0", StringComparison.Ordinal) => "/v2.0",
        _ => "",
    };
}

/// <summary>How often and how patiently a safe call is repeated (Provisioning:OpenStack:RetryAttempts, :RetryBaseDelay).</summary>
public sealed record OpenStackRetry(int Attempts, TimeSpan BaseDelay)
{
    public TimeSpan Delay(int attempt) => BaseDelay * Math.Pow(2, attempt - 1) * (0.8 + Random.Shared.NextDouble() * 0.4);
}
