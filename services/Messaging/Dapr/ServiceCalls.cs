using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.ClientFactory;

namespace Aes.Messaging.Dapr;

/// <summary>Where a gRPC call to another service goes, and the Dapr application it names (if it goes through a sidecar).</summary>
public sealed record ServiceTarget(Uri Address, string? DaprAppId);

/// <summary>
/// Service-to-service gRPC. With Dapr, every call goes to the local sidecar with <c>dapr-app-id</c>
/// metadata, and the sidecars bring mTLS, retries and service discovery; without it (embedded and
/// distributed runs on one machine), straight to the address in <c>Services:&lt;name&gt;</c>.
/// </summary>
public static class ServiceCalls
{
    /// <summary>
    /// The configuration key of how long a call to another service may take when its caller set no deadline: longer than any
    /// facility call a service makes for its caller (provisioning's <c>Provisioning:FacilityCallTimeout</c>, 2 min), so that a
    /// snapshot or a firewall change is not cut off between the facility's work and its record.
    /// </summary>
    public const string CallTimeoutKey = "Services:CallTimeout";
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromMinutes(3);

    public static TimeSpan CallTimeoutOf(IConfiguration configuration) => configuration.GetValue(CallTimeoutKey, DefaultCallTimeout);

    public static ServiceTarget TargetOf(IConfiguration configuration, string service)
    {
        var dapr = DaprSettings.From(configuration);
        if (dapr.Enabled)
        {
            return new ServiceTarget(dapr.GrpcEndpoint, service);
        }
        var key = ResourceNames.ServiceAddressKey(service);
        var address = configuration[key] ?? throw new InvalidOperationException($"{key} ({service}'s gRPC address) is not set.");
        return new ServiceTarget(new Uri(address), null);
    }

    /// <summary>
    /// A gRPC client factory registration for <typeparamref name="TClient"/> calling <paramref name="service"/>.
    /// The address is read when the client is first made, so a host that never calls (the migrate step)
    /// needs none; a serving host has had its addresses checked at start (<see cref="StartupConfiguration"/>).
    /// </summary>
    public static IHttpClientBuilder AddServiceGrpcClient<TClient>(this IServiceCollection services, IConfiguration configuration, string service, string? name = null)
        where TClient : class
    {
        var target = new Lazy<ServiceTarget>(() => TargetOf(configuration, service));
        void Configure(GrpcClientFactoryOptions options) => options.Address = target.Value.Address;
        var client = name is null ? services.AddGrpcClient<TClient>(Configure) : services.AddGrpcClient<TClient>(name, Configure);
        var timeout = CallTimeoutOf(configuration);
        return client.AddInterceptor(() => new DefaultDeadline(timeout)).AddHttpMessageHandler(() => new DaprAppIdHandler(target.Value.DaprAppId));
    }

    /// <summary>The handler a channel built by hand (the portal's per-person channels) sends through.</summary>
    public static HttpMessageHandler HandlerFor(ServiceTarget target, HttpMessageHandler shared) =>
        target.DaprAppId is null ? shared : new DaprAppIdHandler(target.DaprAppId) { InnerHandler = shared };
}

/// <summary>Names the target application on every request, as a Dapr sidecar's gRPC proxy expects; passes requests on untouched without Dapr.</summary>
public sealed class DaprAppIdHandler(string? appId) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (appId is not null)
        {
            request.Headers.Remove(DaprSettings.AppIdMetadata);
            request.Headers.TryAddWithoutValidation(DaprSettings.AppIdMetadata, appId);
        }
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Gives every call that set no deadline one <paramref name="timeout"/> away (<see cref="ServiceCalls.CallTimeoutKey"/>): a service
/// that stops answering fails its callers with <c>DeadlineExceeded</c> instead of holding them, and the leases they hold, forever.
/// </summary>
public sealed class DefaultDeadline(TimeSpan timeout) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) => continuation(request, WithDeadline(context));

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) => continuation(request, WithDeadline(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDeadline(context));

    private ClientInterceptorContext<TRequest, TResponse> WithDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class where TResponse : class =>
        context.Options.Deadline is null
            ? new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + timeout))
            : context;
}
