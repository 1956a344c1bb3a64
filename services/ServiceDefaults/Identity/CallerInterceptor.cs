using System.Collections.Concurrent;
using Aes.ServiceDefaults.Errors;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// The acting user of a call is the token's subject. A request's <c>actor_user_id</c>, where the message has
/// one, is filled from the token when empty and refused when it names someone else; only a service's own
/// identity may act for the user it names (that is how service-to-service calls carry who they act for).
/// </summary>
public sealed class CallerInterceptor : Interceptor
{
    public const string ActorField = "actor_user_id";
    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor?> ActorFields = new();

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message && ActorFields.GetOrAdd(message.Descriptor, d => d.FindFieldByName(ActorField)) is { } field)
        {
            var caller = context.GetHttpContext().User;
            var subject = caller.FindFirst(AesClaims.Subject)?.Value ?? "";
            var named = (string)field.Accessor.GetValue(message);
            if (caller.IsInRole(AesClaims.ServiceRole))
            {
                // A service names whom it acts for.
            }
            else if (named.Length == 0)
            {
                field.Accessor.SetValue(message, subject);
            }
            else if (!string.Equals(named, subject, StringComparison.OrdinalIgnoreCase))
            {
                throw ErrorMappingInterceptor.ToRpcException(new ForbiddenException(new BilingualMessage(
                    $"Le champ {ActorField} désigne un autre utilisateur que celui du jeton.",
                    $"{ActorField} names another user than the token's subject.")));
            }
        }
        return continuation(request, context);
    }
}
