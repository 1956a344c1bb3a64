namespace Aes.Messaging.Dapr;

/// <summary>
/// Whether this service runs beside a Dapr sidecar (Kubernetes), and where the sidecar listens. The
/// injector sets DAPR_GRPC_PORT and DAPR_HTTP_PORT in the container; Dapr:Enabled is the deployment's choice.
/// </summary>
public sealed record DaprSettings(bool Enabled, Uri GrpcEndpoint, Uri HttpEndpoint, string? SecretStore, IReadOnlyList<string> Secrets)
{
    public const string EnabledKey = "Dapr:Enabled";
    public const string SecretStoreKey = "Dapr:SecretStore";
    public const string SecretsKey = "Dapr:Secrets";

    /// <summary>The metadata that tells a sidecar which application a gRPC call is for.</summary>
    public const string AppIdMetadata = "dapr-app-id";

    public static DaprSettings From(IConfiguration configuration) => new(
        configuration.GetValue(EnabledKey, false),
        Endpoint(configuration, "DAPR_GRPC_ENDPOINT", "DAPR_GRPC_PORT", 50001),
        Endpoint(configuration, "DAPR_HTTP_ENDPOINT", "DAPR_HTTP_PORT", 3500),
        configuration[SecretStoreKey] is { Length: > 0 } store ? store : null,
        (configuration[SecretsKey] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Uri Endpoint(IConfiguration configuration, string endpointKey, string portKey, int defaultPort) =>
        configuration[endpointKey] is { Length: > 0 } endpoint
            ? new Uri(endpoint)
            : new Uri($"http://127.0.0.1:{configuration.GetValue(portKey, defaultPort)}");
}
