using Aes.ServiceDefaults.Identity;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Aes.Messaging.Audit;

/// <summary>
/// Records every change made through the API once it has succeeded: the methods whose rule writes, except
/// quota's claims, which only follow from the hosting requests already recorded by provisioning.
/// </summary>
public sealed class AuditInterceptor<TContext>(IEnumerable<AccessPolicy> policies) : Interceptor where TContext : ServiceDbContext
{
    private const int MaxDetails = 8000;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(request, context);
        var rule = policies.FirstOrDefault(p => p.Covers(context.Method))?.Rules.GetValueOrDefault(context.Method);
        if (rule is { Writes: true } && rule != AccessRule.ServicesOnly && request is IMessage message)
        {
            var http = context.GetHttpContext();
            var caller = http.User;
            var actor = caller.FindFirst(AesClaims.Subject)?.Value ?? "";
            var named = Scopes.Text(message, CallerInterceptor.ActorField);
            var details = JsonFormatter.Default.Format(message);
            var origin = $"{http.Connection.RemoteIpAddress}"
                + (http.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded ? $" via {forwarded}" : "")
                + $" · {http.Request.Headers.UserAgent}";
            await http.RequestServices.GetRequiredService<AuditTrail<TContext>>().AppendAsync(new AuditRecord(
                actor, caller.FindFirst(AesClaims.Name)?.Value ?? actor,
                named.Length > 0 && !string.Equals(named, actor, StringComparison.OrdinalIgnoreCase) ? named : "",
                context.Method, details.Length > MaxDetails ? details[..MaxDetails] + "…" : details, origin[..Math.Min(origin.Length, 1000)]),
                CancellationToken.None);
        }
        return response;
    }
}
