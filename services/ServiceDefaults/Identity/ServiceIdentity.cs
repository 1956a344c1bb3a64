using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// This service's own identity: an access token from the confederal issuer by the client-credentials grant
/// (Identity:ClientId and Identity:ClientSecret), kept until shortly before it expires.
/// </summary>
public sealed class ServiceIdentity(IHttpClientFactory httpClients, IConfiguration configuration, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _renewAt;

    public async Task<string> AccessTokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } current && clock.GetUtcNow() < _renewAt)
        {
            return current;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } fresh && clock.GetUtcNow() < _renewAt)
            {
                return fresh;
            }
            var authority = configuration["Identity:Authority"]
                ?? throw new InvalidOperationException("Identity:Authority (the confederal issuer) is not set.");
            var clientId = configuration["Identity:ClientId"]
                ?? throw new InvalidOperationException("Identity:ClientId (this service's client at the confederal issuer) is not set.");
            using var response = await httpClients.CreateClient(nameof(ServiceIdentity)).PostAsync(new Uri(new Uri(authority.TrimEnd('/') + "/"), "connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = configuration["Identity:ClientSecret"] ?? "",
            }), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new RpcException(new Status(StatusCode.Unavailable,
                    $"The confederal issuer refused {clientId}'s credentials ({(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)})."));
            }
            var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
                ?? throw new RpcException(new Status(StatusCode.Unavailable, "The confederal issuer sent an empty token response."));
            _token = token.AccessToken;
            _renewAt = clock.GetUtcNow().AddSeconds(Math.Max(token.ExpiresIn / 2, token.ExpiresIn - 60));
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}

public static class ServiceIdentityExtensions
{
    /// <summary>Calls through this gRPC client carry this service's own token.</summary>
    public static IHttpClientBuilder WithServiceIdentity(this IHttpClientBuilder client)
    {
        client.Services.AddHttpClient(nameof(ServiceIdentity));
        client.Services.TryAddSingleton<ServiceIdentity>();
        client.Services.TryAddSingleton(TimeProvider.System);
        return client.AddCallCredentials(async (_, metadata, services) =>
            metadata.Add("Authorization", $"Bearer {await services.GetRequiredService<ServiceIdentity>().AccessTokenAsync(CancellationToken.None)}"))
            .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true);
    }
}
