using Aes.ServiceDefaults.Errors;
using Google.Protobuf;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// A gRPC service's rules, one per method, keyed by the method's path (<c>/package.Service/Method</c>).
/// A method of the service without a rule is refused to everyone but services: nothing is open by omission.
/// </summary>
public sealed class AccessPolicy
{
    public AccessPolicy(ServiceDescriptor service, IReadOnlyDictionary<string, AccessRule> rulesByMethod)
    {
        Service = service;
        var unknown = rulesByMethod.Keys.Where(name => service.FindMethodByName(name) is null).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"{service.FullName} has no method {string.Join(", ", unknown)}.");
        }
        Rules = rulesByMethod.ToDictionary(rule => $"/{service.FullName}/{rule.Key}", rule => rule.Value);
    }

    public ServiceDescriptor Service { get; }
    public IReadOnlyDictionary<string, AccessRule> Rules { get; }

    public IEnumerable<string> MethodsWithoutRule => Service.Methods.Select(m => m.Name).Where(name => !Rules.ContainsKey($"/{Service.FullName}/{name}"));

    public bool Covers(string method) => method.StartsWith($"/{Service.FullName}/", StringComparison.Ordinal);
}

/// <summary>Checks every call of a covered service against its method's rule before the method runs.</summary>
public sealed class AccessInterceptor(IEnumerable<AccessPolicy> policies) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (policies.FirstOrDefault(p => p.Covers(context.Method)) is { } policy)
        {
            var caller = context.GetHttpContext().User;
            var isService = caller.IsInRole(AesClaims.ServiceRole);
            if (!isService)
            {
                if (!policy.Rules.TryGetValue(context.Method, out var rule))
                {
                    throw Denied("Cette opération n'a pas de règle d'accès.", "This operation has no access rule.");
                }
                var scope = await rule.ScopeOf((IMessage)request!, context.GetHttpContext().RequestServices, context.CancellationToken);
                if (!AccessDecision.Allows(Grant.Of(caller), rule, scope))
                {
                    throw rule.Writes && caller.IsInRole(AccessDecision.Auditor) && caller.FindAll(AesClaims.Role).Count() == 1
                        ? Denied("Un auditeur consulte, il ne modifie rien.", "An auditor reads; an auditor changes nothing.")
                        : Denied("Votre rôle ne vous donne pas accès à cette ressource.", "Your role does not give access to this resource.");
                }
            }
        }
        return await continuation(request, context);
    }

    private static RpcException Denied(string french, string english) =>
        ErrorMappingInterceptor.ToRpcException(new ForbiddenException(new BilingualMessage(french, english)));
}

public static class AccessPolicyExtensions
{
    public static IServiceCollection AddAccessPolicy(this IServiceCollection services, ServiceDescriptor service, IReadOnlyDictionary<string, AccessRule> rules)
    {
        services.AddSingleton(new AccessPolicy(service, rules));
        return services;
    }
}

/// <summary>Scope resolvers built from a request's own fields.</summary>
public static class Scopes
{
    public static string Text(IMessage request, string field) =>
        request.Descriptor.FindFieldByName(field)?.Accessor.GetValue(request) as string ?? "";

    public static Guid? Id(IMessage request, string field) => Guid.TryParse(Text(request, field), out var id) ? id : null;

    public static ScopeResolver Confederation { get; } = (_, _, _) => ValueTask.FromResult(ResourceScope.Confederation);

    /// <summary>The state named by a field; empty means the whole confederation.</summary>
    public static ScopeResolver StateField(string field) => (request, _, _) =>
        ValueTask.FromResult(Text(request, field) is { Length: > 0 } state ? new ResourceScope(state.ToUpperInvariant()) : ResourceScope.Confederation);

    /// <summary>Looks an id up in the service's own data; a malformed id is left for the method to refuse.</summary>
    public static ScopeResolver ById(string field, Func<Guid, IServiceProvider, CancellationToken, Task<ResourceScope?>> lookup) =>
        async (request, services, cancellationToken) =>
        {
            if (Id(request, field) is not { } id)
            {
                return Text(request, field).Length == 0 ? ResourceScope.Confederation : ResourceScope.Missing;
            }
            return await lookup(id, services, cancellationToken) ?? ResourceScope.Missing;
        };

    /// <summary>The first resolver whose field is set, else the whole confederation.</summary>
    public static ScopeResolver FirstOf(params (string Field, ScopeResolver Resolver)[] candidates) => (request, services, cancellationToken) =>
    {
        foreach (var (field, resolver) in candidates)
        {
            if (Text(request, field).Length > 0)
            {
                return resolver(request, services, cancellationToken);
            }
        }
        return ValueTask.FromResult(ResourceScope.Confederation);
    };
}
