using Aes.Messaging.Persistence;
using Aes.Contracts.Tenancy;

namespace Aes.Provisioning.Consumers;

public sealed class FacilityRegisteredConsumer(ProvisioningDbContext db, ILogger<FacilityRegisteredConsumer> logger)
    : InboxConsumer<FacilityRegistered, ProvisioningDbContext>(db, logger)
{
    protected override async Task HandleAsync(FacilityRegistered message, ConsumeContext<FacilityRegistered> context)
    {
        // A status change that overtook the registration recorded the facility already, with a newer status.
        await Db.InsertIfAbsentAsync(new KnownFacility { FacilityId = message.FacilityId, Code = message.Code, StateCode = message.StateCode, Status = message.Status },
            context.CancellationToken);
    }
}

/// <summary>An opened facility may take waiting requests.</summary>
public sealed class FacilityOpenedConsumer(ProvisioningDbContext db, ILogger<FacilityOpenedConsumer> logger)
    : InboxConsumer<FacilityOpened, ProvisioningDbContext>(db, logger)
{
    protected override async Task HandleAsync(FacilityOpened message, ConsumeContext<FacilityOpened> context)
    {
        await Db.SetFacilityStatusAsync(message.FacilityId, message.Code, message.StateCode, "open", message.Version, context.CancellationToken);
        await Db.WakeWaitingRequestsAsync(context.CancellationToken);
    }
}

public sealed class FacilityClosedConsumer(ProvisioningDbContext db, ILogger<FacilityClosedConsumer> logger)
    : InboxConsumer<FacilityClosed, ProvisioningDbContext>(db, logger)
{
    protected override Task HandleAsync(FacilityClosed message, ConsumeContext<FacilityClosed> context) =>
        Db.SetFacilityStatusAsync(message.FacilityId, message.Code, message.StateCode, "closed", message.Version, context.CancellationToken);
}

public sealed class AgencyRegisteredConsumer(ProvisioningDbContext db, ILogger<AgencyRegisteredConsumer> logger)
    : InboxConsumer<AgencyRegistered, ProvisioningDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgencyRegistered message, ConsumeContext<AgencyRegistered> context)
    {
        await Db.InsertIfAbsentAsync(new KnownAgency { AgencyId = message.AgencyId, StateCode = message.StateCode, Code = message.Code }, context.CancellationToken);
    }
}

public sealed class ProjectCreatedConsumer(ProvisioningDbContext db, ILogger<ProjectCreatedConsumer> logger)
    : InboxConsumer<ProjectCreated, ProvisioningDbContext>(db, logger)
{
    protected override async Task HandleAsync(ProjectCreated message, ConsumeContext<ProjectCreated> context)
    {
        await Db.InsertIfAbsentAsync(new KnownProject { ProjectId = message.ProjectId, AgencyId = message.AgencyId, Name = message.Name }, context.CancellationToken);
    }
}

/// <summary>Keeps the latest revision of each (project, user): a join and a leave may arrive in either order.</summary>
public sealed class ProjectMembershipChangedConsumer(ProvisioningDbContext db, ILogger<ProjectMembershipChangedConsumer> logger)
    : InboxConsumer<ProjectMembershipChanged, ProvisioningDbContext>(db, logger)
{
    protected override Task HandleAsync(ProjectMembershipChanged message, ConsumeContext<ProjectMembershipChanged> context) =>
        new Application.ProjectMemberships(Db).RecordAsync(message, context.CancellationToken);
}

public sealed class RoleAssignedConsumer(ProvisioningDbContext db, ILogger<RoleAssignedConsumer> logger)
    : InboxConsumer<RoleAssigned, ProvisioningDbContext>(db, logger)
{
    protected override async Task HandleAsync(RoleAssigned message, ConsumeContext<RoleAssigned> context)
    {
        if (!await Db.IsNewerAsync(ProjectionRevisions.RoleKey(message.UserId, message.Role, message.StateCode, message.AgencyId), message.Revision,
                context.CancellationToken))
        {
            return; // a later change of this role came first
        }
        if (!await Db.Roles.AnyAsync(r => r.UserId == message.UserId && r.Role == message.Role && r.StateCode == message.StateCode
                && r.AgencyId == message.AgencyId, context.CancellationToken))
        {
            Db.Roles.Add(new KnownRole { UserId = message.UserId, Role = message.Role, StateCode = message.StateCode, AgencyId = message.AgencyId });
        }
    }
}

public sealed class RoleRevokedConsumer(ProvisioningDbContext db, ILogger<RoleRevokedConsumer> logger)
    : InboxConsumer<RoleRevoked, ProvisioningDbContext>(db, logger)
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

internal static class ProjectionUpdates
{
    /// <summary>Each event type has its queue, so a status change may overtake the registration: it then records the facility itself.</summary>
    public static async Task SetFacilityStatusAsync(this ProvisioningDbContext db, Guid facilityId, string code, string stateCode, string status, long version,
        CancellationToken cancellationToken)
    {
        if (!await db.IsNewerAsync(ProjectionRevisions.FacilityStatusKey(facilityId), version, cancellationToken))
        {
            return; // a later opening or closing came first
        }
        if (!await db.InsertIfAbsentAsync(new KnownFacility { FacilityId = facilityId, Code = code, StateCode = stateCode, Status = status }, cancellationToken))
        {
            await db.Facilities.Where(f => f.FacilityId == facilityId).ExecuteUpdateAsync(set => set.SetProperty(f => f.Status, status), cancellationToken);
        }
    }

    /// <summary>Room may have appeared: every waiting request is tried again now.</summary>
    public static Task WakeWaitingRequestsAsync(this ProvisioningDbContext db, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        return db.Requests.Where(r => r.Status == RequestStatus.WaitingForCapacity)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.NextStepAt, now).SetProperty(r => r.Version, r => r.Version + 1), cancellationToken);
    }
}

/// <summary>Keeps the links from state providers' subjects to AES users, by which a state provider's tokens are read.</summary>
public sealed class ExternalIdentityLinkChangedConsumer(ProvisioningDbContext db, ILogger<ExternalIdentityLinkChangedConsumer> logger)
    : InboxConsumer<ExternalIdentityLinkChanged, ProvisioningDbContext>(db, logger)
{
    protected override Task HandleAsync(ExternalIdentityLinkChanged message, ConsumeContext<ExternalIdentityLinkChanged> context) =>
        Aes.Messaging.Identity.KnownExternalIdentities.RecordAsync(Db, message.Issuer, message.Subject, message.UserId, message.StateCode, message.Revision,
            context.CancellationToken);
}

/// <summary>
/// Keeps the catalogue's classes, so that a request may ask for an added class (a GPU) and be estimated: a class never changes
/// once defined (tenancy refuses other terms for a taken code), so the first copy stands.
/// </summary>
public sealed class ResourceClassDefinedConsumer(ProvisioningDbContext db, ILogger<ResourceClassDefinedConsumer> logger)
    : InboxConsumer<ResourceClassDefined, ProvisioningDbContext>(db, logger)
{
    protected override Task HandleAsync(ResourceClassDefined message, ConsumeContext<ResourceClassDefined> context) =>
        Db.InsertIfAbsentAsync(new KnownResourceClass { Code = message.Code, Metering = message.Metering, DefinedAt = message.DefinedAt }, context.CancellationToken);
}
