using Grpc.Core;
using Grpc.Net.Client;

namespace Aes.Cli;

/// <summary>Where the services answer, and the channel that carries the user's token to them.</summary>
public sealed class Endpoints(string host, int portOffset, string token)
{
    public static readonly IReadOnlyDictionary<string, int> GrpcPorts = new Dictionary<string, int>
    {
        ["tenancy"] = 6101, ["quota"] = 6102, ["billing"] = 6103, ["provisioning"] = 6104, ["notifications"] = 6105,
    };

    /// <summary>The portal, for the pages it serves itself (the simulated facility's console).</summary>
    public string PortalUrl => $"http://{host}:{5100 + portOffset}";

    /// <summary>Where a service answers, which names its trail in the audit checkpoints.</summary>
    public string AddressOf(string service) => $"http://{host}:{GrpcPorts[service] + portOffset}";

    public Aes.Contracts.Tenancy.V1.TenancyService.TenancyServiceClient Tenancy() => new(Channel("tenancy"));

    public Aes.Contracts.Provisioning.V1.ProvisioningService.ProvisioningServiceClient Provisioning() => new(Channel("provisioning"));

    public Aes.Contracts.Quota.V1.QuotaService.QuotaServiceClient Quota() => new(Channel("quota"));

    public Aes.Contracts.Billing.V1.BillingService.BillingServiceClient Billing() => new(Channel("billing"));

    public Aes.Contracts.Notifications.V1.NotificationService.NotificationServiceClient Notifications() => new(Channel("notifications"));

    public GrpcChannel Channel(string service) => GrpcChannel.ForAddress(AddressOf(service), new GrpcChannelOptions
    {
        Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        })),
        UnsafeUseInsecureChannelCallCredentials = true,
    });
}
