using Aes.ServiceDefaults.Errors;
using Google.Protobuf;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
public sealed class AccessInterceptor(IEnumerable<AccessPolicy> policies, ServiceClientAllowances serviceClients) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (policies.FirstOrDefault(p => p.Covers(context.Method)) is { } policy)
        {
            var caller = context.GetHttpContext().User;
            var isService = caller.IsInRole(AesClaims.ServiceRole);
            if (isService)
            {
                // A service identity passes the per-user rules, so it reaches only the methods its work needs.
                if (!serviceClients.Allows(caller.FindFirst(AesClaims.Subject)?.Value, context.Method))
                {
                    throw Denied("Ce service n'a pas accès à cette opération.", "This service may not call this operation.");
                }
            }
            else
            {
                if (!policy.Rules.TryGetValue(context.Method, out var rule))
                {
                    throw Denied("Cette opération n'a pas de règle d'accès.", "This operation has no access rule.");
                }
                // Only public reference data answers a caller without a token, whatever the endpoint's own metadata says.
                if (caller.Identity?.IsAuthenticated != true && !rule.Who.HasFlag(Allowed.Anonymous))
                {
                    throw new RpcException(new Status(StatusCode.Unauthenticated, "Jeton d'accès absent / access token missing."));
                }
                var grants = Grant.Of(caller);
                if (!rule.Writes && !rule.Who.HasFlag(Allowed.Everyone))
                {
                    CallerScope.FillMissingFilter((IMessage)request!, grants);
                }
                var services = context.GetHttpContext().RequestServices;
                var scope = await rule.ScopeOf((IMessage)request!, services, context.CancellationToken);
                var member = rule.WithinProject && await IsProjectMemberAsync(caller, grants, scope, services, context.CancellationToken);
                if (!AccessDecision.Allows(grants, rule, scope, member))
                {
                    throw rule.Writes && caller.IsInRole(AccessDecision.Auditor) && caller.FindAll(AesClaims.Role).Count() == 1
                        ? Denied("Un auditeur consulte, il ne modifie rien.", "An auditor reads; an auditor changes nothing.")
                        : rule.WithinProject && AccessDecision.Allows(grants, rule, scope, memberOfProject: true)
                            ? Denied("Vous n'êtes pas membre du projet de cette ressource.", "You are not a member of this resource's project.")
                            : Denied("Votre rôle ne vous donne pas accès à cette ressource.", "Your role does not give access to this resource.");
                }
            }
        }
        return await continuation(request, context);
    }

    /// <summary>Asked only of a requester of the scope's agency; a service without memberships answers no.</summary>
    private static async ValueTask<bool> IsProjectMemberAsync(System.Security.Claims.ClaimsPrincipal caller, IReadOnlyList<Grant> grants, ResourceScope scope,
        IServiceProvider services, CancellationToken cancellationToken) =>
        scope.Project is { } project && scope.Agency is { } agency && ProjectVisibility.UserOf(caller) is { } user
            && grants.Any(g => g.Role == AccessDecision.Requester && g.Agency == agency)
            && services.GetService<IProjectMembership>() is { } memberships
            && await memberships.IsMemberAsync(project, user, cancellationToken);

    private static RpcException Denied(string french, string english) =>
        ErrorMappingInterceptor.ToRpcException(new ForbiddenException(new BilingualMessage(french, english)));
}

public static class AccessPolicyExtensions
{
    public static IServiceCollection AddAccessPolicy(this IServiceCollection services, ServiceDescriptor service, IReadOnlyDictionary<string, AccessRule> rules)
    {
        services.AddSingleton(new AccessPolicy(service, rules));
        services.TryAddSingleton<ServiceClientAllowances>();
        return services;
    }
}

/// <summary>
/// A list asked for without saying whose (no agency_id, state_code or facility_id) is the caller's own: their
/// agency for requesters and agency administrators, their state for operators and state auditors; the whole
/// confederation for confederal roles. A caller whose roles span several agencies or states must say which:
/// InvalidArgument naming the field, rather than a refusal that does not say why.
/// </summary>
public static class CallerScope
{
    private static readonly string[] ScopeFields = ["agency_id", "state_code", "facility_id"];

    public static void FillMissingFilter(IMessage request, IReadOnlyList<Grant> grants)
    {
        var fields = ScopeFields.Select(name => request.Descriptor.FindFieldByName(name))
            .Where(field => field is { FieldType: Google.Protobuf.Reflection.FieldType.String, IsRepeated: false }).ToList();
        if (fields.Count == 0 || fields.Any(field => ((string)field!.Accessor.GetValue(request)).Length > 0)
            || grants.Any(g => g.Role == AccessDecision.ConfederalAdministrator || (g.Role == AccessDecision.Auditor && g.State is null)))
        {
            return;
        }
        var agency = fields.FirstOrDefault(f => f!.Name == "agency_id");
        var state = fields.FirstOrDefault(f => f!.Name == "state_code");
        var agencies = grants.Where(g => g.Role is AccessDecision.Requester or AccessDecision.AgencyAdministrator && g.Agency is not null)
            .Select(g => g.Agency!.Value).Distinct().ToList();
        var states = grants.Where(g => g.Role is AccessDecision.StateOperator or AccessDecision.Auditor && g.State is not null)
            .Select(g => g.State!).Distinct().ToList();
        if (agency is not null && agencies.Count == 1 && states.Count == 0)
        {
            agency.Accessor.SetValue(request, agencies[0].ToString());
        }
        else if (state is not null && states.Count == 1 && agencies.Count == 0)
        {
            state.Accessor.SetValue(request, states[0]);
        }
        else if (agencies.Count + states.Count > 0)
        {
            var named = (states.Count > 0 ? state : null) ?? agency ?? state!;
            throw ErrorMappingInterceptor.ToRpcException(new InvalidFieldException(named.Name, new BilingualMessage(
                "à préciser : vos rôles ne désignent pas un seul organisme ou État.",
                "say which: your roles do not point at one agency or one state.")));
        }
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
