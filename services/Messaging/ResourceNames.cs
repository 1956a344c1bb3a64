namespace Aes.Messaging;

/// <summary>
/// The names every deployment shares: service names, connection-string names, ports.
/// tye.yaml, k8s/ and the launchers use the same; a test checks that they agree.
/// </summary>
public static class ResourceNames
{
    public const string Tenancy = "tenancy";
    public const string Quota = "quota";
    public const string Billing = "billing";
    public const string Provisioning = "provisioning";
    public const string Portal = "portal";
    public const string Notifications = "notifications";

    public const string RabbitMqConnection = "rabbitmq";
    public const string TenancyDatabase = "tenancy-db";
    public const string QuotaDatabase = "quota-db";
    /// <summary>The simulated facilities' own store (provisioning's default facility driver).</summary>
    public const string FacilitySimulatorDatabase = "facility-simulator";
    public const string BillingDatabase = "billing-db";
    public const string ProvisioningDatabase = "provisioning-db";
    public const string PortalDatabase = "portal-db";
    public const string NotificationsDatabase = "notifications-db";

    /// <summary>
    /// Local ports of the embedded and distributed runs. Cleartext HTTP/2 needs a port of its own,
    /// so each service has an HTTP/1.1 port (health, REST) and an HTTP/2 port (gRPC).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, ServicePorts> LocalPorts = new Dictionary<string, ServicePorts>
    {
        [Portal] = new(5100, 0),
        [Tenancy] = new(5101, 6101),
        [Quota] = new(5102, 6102),
        [Billing] = new(5103, 6103),
        [Provisioning] = new(5104, 6104),
        [Notifications] = new(5105, 6105),
    };

    /// <summary>The back-end services: each has a database, a gRPC API (its audit trail at least) and a bus.</summary>
    public static readonly IReadOnlyList<string> Services = [Tenancy, Quota, Billing, Provisioning, Notifications];

    public static string DatabaseOf(string service) => $"{service}-db";

    /// <summary>
    /// Who calls whom over gRPC: the portal calls the back-end services, provisioning calls quota. Everything
    /// else goes over the bus. Configuration checks, Kubernetes NetworkPolicies and Dapr scopes follow it.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> GrpcCalls = new Dictionary<string, IReadOnlyList<string>>
    {
        [Portal] = [Tenancy, Quota, Billing, Provisioning, Notifications],
        [Provisioning] = [Quota],
    };

    public static IReadOnlyList<string> CallsOf(string service) => GrpcCalls.GetValueOrDefault(service) ?? [];

    /// <summary>Configuration key of the address a client uses to reach <paramref name="service"/>.</summary>
    public static string ServiceAddressKey(string service) => $"Services:{service}";
}

/// <summary>A service's HTTP/1.1 port and its gRPC (HTTP/2) port; 0 when it has none.</summary>
public sealed record ServicePorts(int Http, int Grpc)
{
    public ServicePorts Shift(int offset) => new(Http + offset, Grpc == 0 ? 0 : Grpc + offset);

    /// <summary>Kestrel endpoint settings, as command-line arguments, for these ports on <paramref name="host"/>.</summary>
    public IEnumerable<string> KestrelArguments(string host = "127.0.0.1")
    {
        yield return $"--Kestrel:Endpoints:http:Url=http://{host}:{Http}";
        yield return "--Kestrel:Endpoints:http:Protocols=Http1";
        if (Grpc != 0)
        {
            yield return $"--Kestrel:Endpoints:grpc:Url=http://{host}:{Grpc}";
            yield return "--Kestrel:Endpoints:grpc:Protocols=Http2";
        }
    }
}
