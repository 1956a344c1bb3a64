using Aes.Messaging;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Components.Authorization;
using P = Aes.Contracts.Provisioning.V1;

namespace Aes.Portal.Web;

/// <summary>
/// The services as the signed-in person sees them, for the portal's pages: every call carries the access
/// token of their sign-in. One per circuit; the connections are the portal's, shared by all.
/// </summary>
public sealed class UserClients(AuthenticationStateProvider authentication, IConfiguration configuration, SharedGrpcHandler handler) : IDisposable
{
    private readonly Dictionary<string, GrpcChannel> _channels = [];

    public async Task<P.ProvisioningService.ProvisioningServiceClient> ProvisioningAsync() => new(await ChannelAsync(ResourceNames.Provisioning));

    private async Task<GrpcChannel> ChannelAsync(string service)
    {
        if (_channels.TryGetValue(service, out var channel))
        {
            return channel;
        }
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var token = user.FindFirst(BrowserSignInExtensions.AccessTokenClaim)?.Value ?? "";
        var address = configuration[ResourceNames.ServiceAddressKey(service)]
            ?? throw new InvalidOperationException($"{ResourceNames.ServiceAddressKey(service)} is not set.");
        channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler.Handler,
            DisposeHttpClient = false,
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {token}");
                return Task.CompletedTask;
            })),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        _channels[service] = channel;
        return channel;
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}

/// <summary>One HTTP/2 connection pool for every circuit's channels.</summary>
public sealed class SharedGrpcHandler : IDisposable
{
    public SocketsHttpHandler Handler { get; } = new() { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };

    public void Dispose() => Handler.Dispose();
}
