using Aes.Messaging.Persistence;
using Aes.Contracts.Tenancy;
using Aes.Quota.Application;

namespace Aes.Quota.Consumers;

/// <summary>Opens the agency's quota at its state's defaults; in a demo run, the first agency of a state brings the demo defaults.</summary>
public sealed class AgencyRegisteredConsumer(QuotaDbContext db, CapacityOperations capacity, DemoCapacity demo, ILogger<AgencyRegisteredConsumer> logger)
    : InboxConsumer<AgencyRegistered, QuotaDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgencyRegistered message, ConsumeContext<AgencyRegistered> context)
    {
        await demo.AddStateDefaultsAsync(Db, message.StateCode, context.CancellationToken);
        await capacity.OpenAgencyAsync(message.AgencyId, message.StateCode, context.CancellationToken);
    }
}

public sealed class RoleAssignedConsumer(QuotaDbContext db, ILogger<RoleAssignedConsumer> logger)
    : InboxConsumer<RoleAssigned, QuotaDbContext>(db, logger)
{
    protected override async Task HandleAsync(RoleAssigned message, ConsumeContext<RoleAssigned> context)
    {
        if (!await Db.IsNewerAsync(ProjectionRevisions.RoleKey(message.UserId, message.Role, message.StateCode, message.AgencyId), message.Revision,
                context.CancellationToken))
        {
            return; // a later change of this role came first
        }
        var known = await Db.Roles.AnyAsync(r => r.UserId == message.UserId && r.Role == message.Role
            && r.StateCode == message.StateCode && r.AgencyId == message.AgencyId, context.CancellationToken);
        if (!known)
        {
            Db.Roles.Add(new KnownRole { UserId = message.UserId, Role = message.Role, StateCode = message.StateCode, AgencyId = message.AgencyId });
        }
    }
}

public sealed class RoleRevokedConsumer(QuotaDbContext db, ILogger<RoleRevokedConsumer> logger)
    : InboxConsumer<RoleRevoked, QuotaDbContext>(db, logger)
{
    protected override async Task HandleAsync(RoleRevoked message, ConsumeContext<RoleRevoked> context)
    {
        if (!await Db.IsNewerAsync(ProjectionRevisions.RoleKey(message.UserId, message.Role, message.StateCode, message.AgencyId), message.Revision,
                context.CancellationToken))
        {
            return; // a later change of this role came first
        }
        await Db.Roles.Where(r => r.UserId == message.UserId && r.Role == message.Role && r.StateCode == message.StateCode && r.AgencyId == message.AgencyId)
            .ExecuteDeleteAsync(context.CancellationToken);
    }
}

/// <summary>An activated agreement opens its slice; the end arriving first leaves a closed one that activation cannot reopen.</summary>
public sealed class AgreementActivatedConsumer(QuotaDbContext db, ILogger<AgreementActivatedConsumer> logger)
    : InboxConsumer<AgreementActivated, QuotaDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementActivated message, ConsumeContext<AgreementActivated> context)
    {
        // An end that arrived first recorded the agreement, inactive: the activation then changes nothing.
        if (!await Db.InsertIfAbsentAsync(new AgreementSliceInfo
            {
                AgreementId = message.AgreementId, FacilityId = message.FacilityId, HostStateCode = message.HostStateCode,
                GuestStateCode = message.GuestStateCode, Active = true,
            }, context.CancellationToken))
        {
            return;
        }
        var slice = ResourceVector.FromList(message.SliceResources);
        // The standard four always have a row (0 where the slice gives none), other classes where the slice has them (GPUs).
        foreach (var resourceClass in Aes.Contracts.ResourceClasses.Standard.Select(c => c.Code).Union(slice.Classes, StringComparer.Ordinal))
        {
            Db.Slices.Add(new AgreementSlice { AgreementId = message.AgreementId, Class = resourceClass, Limit = slice[resourceClass] });
        }
    }
}

public sealed class AgreementEndedConsumer(QuotaDbContext db, ILogger<AgreementEndedConsumer> logger)
    : InboxConsumer<AgreementEnded, QuotaDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementEnded message, ConsumeContext<AgreementEnded> context)
    {
        // Existing claims stay counted until released; no new hold is taken against an ended slice.
        if (!await Db.InsertIfAbsentAsync(new AgreementSliceInfo
            {
                AgreementId = message.AgreementId, FacilityId = message.FacilityId, HostStateCode = message.HostStateCode,
                GuestStateCode = message.GuestStateCode, Active = false,
            }, context.CancellationToken))
        {
            await Db.Agreements.Where(a => a.AgreementId == message.AgreementId)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.Active, false), context.CancellationToken);
        }
    }
}

/// <summary>Keeps the links from state providers' subjects to AES users, by which a state provider's tokens are read.</summary>
public sealed class ExternalIdentityLinkChangedConsumer(QuotaDbContext db, ILogger<ExternalIdentityLinkChangedConsumer> logger)
    : InboxConsumer<ExternalIdentityLinkChanged, QuotaDbContext>(db, logger)
{
    protected override Task HandleAsync(ExternalIdentityLinkChanged message, ConsumeContext<ExternalIdentityLinkChanged> context) =>
        Aes.Messaging.Identity.KnownExternalIdentities.RecordAsync(Db, message.Issuer, message.Subject, message.UserId, message.StateCode, message.Revision,
            context.CancellationToken);
}
