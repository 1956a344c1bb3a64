using System.Security.Claims;
using Aes.Messaging;
using Aes.Messaging.Dapr;
using Aes.ServiceDefaults.Paging;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Components.Authorization;
using A = Aes.Contracts.Audit.V1;
using B = Aes.Contracts.Billing.V1;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.Portal.Web;

/// <summary>
/// The services as the signed-in person sees them, for the portal's pages: every call carries the access
/// token of their sign-in, so each service decides with that person's rights. One per circuit (or per
/// request, for the printable documents); the connections are the portal's, shared by all.
/// </summary>
public sealed class UserClients(Func<Task<ClaimsPrincipal>> user, IConfiguration configuration, SharedGrpcHandler handler) : IDisposable
{
    private readonly Dictionary<string, GrpcChannel> _channels = [];

    [ActivatorUtilitiesConstructor]
    public UserClients(AuthenticationStateProvider authentication, IConfiguration configuration, SharedGrpcHandler handler)
        : this(async () => (await authentication.GetAuthenticationStateAsync()).User, configuration, handler)
    {
    }

    private readonly DefaultDeadline _deadline = new(ServiceCalls.CallTimeoutOf(configuration));

    public async Task<P.ProvisioningService.ProvisioningServiceClient> ProvisioningAsync() => new(await CallsAsync(ResourceNames.Provisioning));
    public async Task<Q.QuotaService.QuotaServiceClient> QuotaAsync() => new(await CallsAsync(ResourceNames.Quota));
    public async Task<B.BillingService.BillingServiceClient> BillingAsync() => new(await CallsAsync(ResourceNames.Billing));
    public async Task<T.TenancyService.TenancyServiceClient> TenancyAsync() => new(await CallsAsync(ResourceNames.Tenancy));
    public async Task<Aes.Contracts.Notifications.V1.NotificationService.NotificationServiceClient> NotificationsAsync() => new(await CallsAsync(ResourceNames.Notifications));
    public async Task<A.AuditTrail.AuditTrailClient> AuditTrailAsync(string service) => new(await CallsAsync(service));

    /// <summary>All the agency's projects the person may see, page after page.</summary>
    public async Task<List<T.Project>> ProjectsAsync(string agencyId)
    {
        var tenancy = await TenancyAsync();
        return await PagedLists.AllAsync(async token =>
        {
            var page = await tenancy.ListProjectsAsync(new T.ListProjectsRequest { AgencyId = agencyId, PageToken = token });
            return (page.Projects.AsEnumerable(), page.NextPageToken);
        });
    }

    /// <summary>The confederation's resource classes, standard first, page after page.</summary>
    public async Task<List<T.ResourceClass>> ResourceClassesAsync()
    {
        var tenancy = await TenancyAsync();
        return await PagedLists.AllAsync(async token =>
        {
            var page = await tenancy.ListResourceClassesAsync(new T.ListResourceClassesRequest { PageToken = token });
            return (page.Classes.AsEnumerable(), page.NextPageToken);
        });
    }

    /// <summary>The catalogue by code, as <see cref="ClassNamesAsync()"/>, when any of <paramref name="codes"/> is beyond the standard four; else none (a page of the four names them itself).</summary>
    public async Task<OrderedDictionary<string, T.ResourceClass>> ClassNamesAsync(IEnumerable<string> codes) =>
        codes.Any(code => !Labels.StandardClasses.Contains(code)) ? await ClassNamesAsync() : [];

    /// <summary>
    /// The catalogue by code, in tenancy's order (the standard four first), for naming classes beyond the standard four. Without it a page still shows, naming such
    /// a class by its code: the names are a help to read, not what the page is about.
    /// </summary>
    public async Task<OrderedDictionary<string, T.ResourceClass>> ClassNamesAsync()
    {
        try
        {
            return new((await ResourceClassesAsync()).Select(c => KeyValuePair.Create(c.Code, c)));
        }
        catch (RpcException)
        {
            return [];
        }
    }

    /// <summary>All the person's SSH keys in the agency, page after page.</summary>
    public async Task<List<P.SshKey>> SshKeysAsync(string agencyId)
    {
        var provisioning = await ProvisioningAsync();
        return await PagedLists.AllAsync(async token =>
        {
            var page = await provisioning.ListSshKeysAsync(new P.ListSshKeysRequest { AgencyId = agencyId, PageToken = token });
            return (page.Keys.AsEnumerable(), page.NextPageToken);
        });
    }

    private async Task<CallInvoker> CallsAsync(string service) => (await ChannelAsync(service)).Intercept(_deadline);

    private async Task<GrpcChannel> ChannelAsync(string service)
    {
        if (_channels.TryGetValue(service, out var channel))
        {
            return channel;
        }
        var token = (await user()).FindFirst(BrowserSignInExtensions.AccessTokenClaim)?.Value ?? "";
        var target = ServiceCalls.TargetOf(configuration, service);
        channel = GrpcChannel.ForAddress(target.Address, new GrpcChannelOptions
        {
            HttpHandler = ServiceCalls.HandlerFor(target, handler.Handler),
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
