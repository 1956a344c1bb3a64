using Aes.ServiceDefaults.Identity;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Aes.Messaging.Audit;

/// <summary>
/// Records every change made through the API in the same transaction as the change (ADR 033): the methods whose rule
/// writes, except quota's claims, which only follow from the hosting requests already recorded by provisioning. The call
/// runs in a transaction of the service's database that the method's own saves and transactions join; its audit record
/// is appended at the end, and both commit together. A record that cannot be written undoes the change, so a caller told
/// to try again finds nothing done. A write sent with an idempotency key runs once per caller and key, and a repeat gets the
/// first answer (<see cref="RepeatedCalls"/>, ADR 034).
/// </summary>
public sealed class AuditInterceptor<TContext>(IEnumerable<AccessPolicy> policies) : Interceptor where TContext : ServiceDbContext
{
    private const int MaxDetails = 8000;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var rule = policies.FirstOrDefault(p => p.Covers(context.Method))?.Rules.GetValueOrDefault(context.Method);
        if (rule is not { Writes: true } || rule == AccessRule.ServicesOnly || request is not IMessage message)
        {
            return await continuation(request, context);
        }
        var http = context.GetHttpContext();
        var db = http.RequestServices.GetRequiredService<TContext>();
        var caller = http.User;
        var actor = caller.FindFirst(AesClaims.Subject)?.Value ?? "";
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(context.CancellationToken);
        var repeatable = RepeatedCalls.KeyOf(message).Length > 0;
        if (repeatable)
        {
            var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            var retention = http.RequestServices.GetRequiredService<MessagingSettings>().ReplayRetention;
            var responses = ((IMessage)Activator.CreateInstance<TResponse>()).Descriptor.Parser;
            if (await RepeatedCalls.ClaimOrReplayAsync(db, context.Method, actor, message, responses, now, retention, context.CancellationToken) is { } first)
            {
                await context.WriteResponseHeadersAsync(new Metadata { { RepeatedCalls.ReplayedHeader, "true" } });
                return (TResponse)first; // done once already, and recorded then
            }
        }
        var response = await continuation(request, context);
        if (repeatable)
        {
            await RepeatedCalls.KeepAsync(db, context.Method, actor, message, (IMessage)response);
        }
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
        await transaction.CommitAsync(CancellationToken.None);
        return response;
    }
}
