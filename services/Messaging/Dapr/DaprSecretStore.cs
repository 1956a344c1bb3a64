using System.Net;
using System.Net.Http.Json;
using Aes.ServiceDefaults;

namespace Aes.Messaging.Dapr;

/// <summary>
/// Reads the service's secrets from its Dapr secret store at start, through the sidecar's HTTP API, and
/// adds them as configuration: a key written as in environment variables (<c>ConnectionStrings__quota-db</c>)
/// becomes the configuration key (<c>ConnectionStrings:quota-db</c>). Connection strings and client
/// secrets so never appear in a manifest or an environment variable.
/// </summary>
public sealed class DaprSecretStoreSource(DaprSettings settings, Func<HttpMessageHandler>? handler = null, TimeSpan? sidecarWait = null) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) =>
        new DaprSecretStoreProvider(settings, handler?.Invoke() ?? new SocketsHttpHandler(), sidecarWait ?? TimeSpan.FromSeconds(60));
}

internal sealed class DaprSecretStoreProvider(DaprSettings settings, HttpMessageHandler handler, TimeSpan sidecarWait) : ConfigurationProvider
{
    public override void Load() => Data = LoadAsync().GetAwaiter().GetResult();

    private async Task<Dictionary<string, string?>> LoadAsync()
    {
        using var http = new HttpClient(handler) { BaseAddress = settings.HttpEndpoint, Timeout = TimeSpan.FromSeconds(10) };
        await WaitForSidecarAsync(http);
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var secret in settings.Secrets)
        {
            using var response = await http.GetAsync($"v1.0/secrets/{Uri.EscapeDataString(settings.SecretStore!)}/{Uri.EscapeDataString(secret)}");
            if (!response.IsSuccessStatusCode)
            {
                throw Problem($"le secret {secret} est illisible / secret {secret} cannot be read: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            var values = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>() ?? [];
            foreach (var (key, value) in values)
            {
                data[key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
            }
        }
        return data;
    }

    /// <summary>The sidecar starts beside the application, not before it: wait until it can reach its components.</summary>
    private async Task WaitForSidecarAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + sidecarWait;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("v1.0/healthz/outbound");
                if (response.StatusCode == HttpStatusCode.NoContent || response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw Problem($"le sidecar Dapr ne répond pas sur {settings.HttpEndpoint} / the Dapr sidecar does not answer at {settings.HttpEndpoint}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private InvalidConfigurationException Problem(string problem) =>
        new($"Dapr {settings.SecretStore}", [problem]);
}

public static class DaprSecretStoreExtensions
{
    /// <summary>Adds the secret store when Dapr:Enabled and Dapr:SecretStore are set; leaves the configuration alone otherwise.</summary>
    public static IConfigurationBuilder AddDaprSecretStore(this IConfigurationManager configuration, Func<HttpMessageHandler>? handler = null, TimeSpan? sidecarWait = null)
    {
        var settings = DaprSettings.From(configuration);
        if (settings is { Enabled: true, SecretStore: not null, Secrets.Count: > 0 })
        {
            configuration.Add(new DaprSecretStoreSource(settings, handler, sidecarWait));
        }
        return configuration;
    }
}
