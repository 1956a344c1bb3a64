using Aes.ServiceDefaults.Errors;
using Aes.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Builder;
using V1 = Aes.Contracts.Audit.V1;

namespace Aes.Messaging.Audit;

/// <summary>The audit trail as auditors read it, on every service's gRPC port.</summary>
public sealed class AuditTrailGrpcService<TContext>(AuditTrail<TContext> trail, IHostEnvironment environment) : V1.AuditTrail.AuditTrailBase
    where TContext : ServiceDbContext
{
    public override async Task<V1.ListAuditEntriesResponse> ListEntries(V1.ListAuditEntriesRequest request, ServerCallContext context)
    {
        var limit = request.Limit == 0 ? 100 : request.Limit;
        if (limit is < 1 or > 1000)
        {
            throw new InvalidFieldException("limit", new BilingualMessage("entre 1 et 1000.", "between 1 and 1000."));
        }
        var entries = await trail.ListAsync(request.AfterPosition, limit, context.CancellationToken);
        return new V1.ListAuditEntriesResponse
        {
            Service = environment.ApplicationName,
            Entries =
            {
                entries.Select(e => new V1.AuditEntry
                {
                    Position = e.Position, OccurredAt = Timestamp.FromDateTime(e.OccurredAt), Actor = e.Actor, ActorName = e.ActorName,
                    OnBehalfOf = e.OnBehalfOf, Action = e.Action, Details = e.Details, Origin = e.Origin, PreviousHash = e.PreviousHash, Hash = e.Hash,
                }),
            },
        };
    }

    public override async Task<V1.AuditVerification> Verify(V1.VerifyAuditTrailRequest request, ServerCallContext context)
    {
        var limit = request.Limit == 0 ? 10_000 : request.Limit;
        if (limit is < 1 or > 100_000)
        {
            throw new InvalidFieldException("limit", new BilingualMessage("entre 1 et 100000.", "between 1 and 100000."));
        }
        if (request.AfterPosition < 0)
        {
            throw new InvalidFieldException("after_position", new BilingualMessage("positif ou nul.", "zero or more."));
        }
        if (request.AfterPosition > 0 && !(request.AfterHash.Length == 64 && request.AfterHash.All(char.IsAsciiHexDigitLower)))
        {
            throw new InvalidFieldException("after_hash", new BilingualMessage(
                "le hachage de l'entrée à after_position, 64 chiffres hexadécimaux.", "the hash of the record at after_position, 64 hexadecimal digits."));
        }
        var report = await trail.VerifyAsync(request.AfterPosition, request.AfterPosition > 0 ? request.AfterHash : AuditHead.Genesis, limit, context.CancellationToken);
        return new V1.AuditVerification
        {
            Service = environment.ApplicationName, Intact = report.Intact, EntriesChecked = report.EntriesChecked,
            HeadHash = report.HeadHash, Problems = { report.Problems }, VerifiedThrough = report.VerifiedThrough, VerifiedHash = report.VerifiedHash,
            Complete = report.Complete,
        };
    }
}

/// <summary>Auditors (of any state, or confederal) and the confederal administrator read every service's trail.</summary>
public static class AuditTrailAccessRules
{
    public static Google.Protobuf.Reflection.ServiceDescriptor Service => V1.AuditTrail.Descriptor;

    public static IReadOnlyDictionary<string, AccessRule> Rules { get; } = new Dictionary<string, AccessRule>
    {
        ["ListEntries"] = AccessRule.Read(Allowed.Auditors | Allowed.ConfederalAdministrators, (_, _, _) => ValueTask.FromResult(ResourceScope.EveryState)),
        ["Verify"] = AccessRule.Read(Allowed.Auditors | Allowed.ConfederalAdministrators, (_, _, _) => ValueTask.FromResult(ResourceScope.EveryState)),
    };
}

public static class AuditTrailExtensions
{
    public static IHostApplicationBuilder AddAuditTrail<TContext>(this IHostApplicationBuilder builder) where TContext : ServiceDbContext
    {
        builder.Services.AddScoped<AuditTrail<TContext>>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddAccessPolicy(AuditTrailAccessRules.Service, AuditTrailAccessRules.Rules);
        builder.Services.Configure<Grpc.AspNetCore.Server.GrpcServiceOptions>(options => options.Interceptors.Add<AuditInterceptor<TContext>>());
        return builder;
    }

    public static WebApplication MapAuditTrail<TContext>(this WebApplication app) where TContext : ServiceDbContext
    {
        app.MapGrpcService<AuditTrailGrpcService<TContext>>();
        return app;
    }
}
