using Aes.Contracts;
using Aes.Messaging.Persistence;
using Aes.Billing.Application;
using Aes.Billing.Domain;
using Aes.Contracts.Tenancy;

namespace Aes.Billing.Consumers;

public sealed class AgencyRegisteredConsumer(BillingDbContext db, ILogger<AgencyRegisteredConsumer> logger)
    : InboxConsumer<AgencyRegistered, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgencyRegistered message, ConsumeContext<AgencyRegistered> context)
    {
        await Db.InsertIfAbsentAsync(new BillingAccount
        {
            AgencyId = message.AgencyId, StateCode = message.StateCode, AgencyName = message.Name, OpenedAt = message.RegisteredAt,
        }, context.CancellationToken);
    }
}

/// <summary>A state's time zone decides where its agencies' invoice months begin and end.</summary>
public sealed class MemberStateRegisteredConsumer(BillingDbContext db, ILogger<MemberStateRegisteredConsumer> logger)
    : InboxConsumer<MemberStateRegistered, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(MemberStateRegistered message, ConsumeContext<MemberStateRegistered> context)
    {
        if (!await Db.InsertIfAbsentAsync(new KnownState { Code = message.StateCode, TimeZone = message.TimeZone }, context.CancellationToken))
        {
            await Db.States.Where(s => s.Code == message.StateCode)
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.TimeZone, message.TimeZone), context.CancellationToken);
        }
    }
}

/// <summary>Records the facility and, in a demo run, publishes its demo list prices (Seed/demo-prices.json).</summary>
public sealed class FacilityRegisteredConsumer(BillingDbContext db, DemoPrices demoPrices, ILogger<FacilityRegisteredConsumer> logger)
    : InboxConsumer<FacilityRegistered, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(FacilityRegistered message, ConsumeContext<FacilityRegistered> context)
    {
        // Only the delivery that records the facility publishes its demo prices: a re-announcement publishes none.
        if (!await Db.InsertIfAbsentAsync(new KnownFacility { Id = message.FacilityId, Code = message.Code, StateCode = message.StateCode, Name = message.Name },
                context.CancellationToken))
        {
            return;
        }
        if (demoPrices.For(message.Code) is { } catalogue)
        {
            var published = new PriceCatalogue
            {
                Id = Guid.CreateVersion7(), FacilityId = message.FacilityId, EffectiveFrom = catalogue.EffectiveFrom,
                UnitPrices = catalogue.Prices, CreatedAt = DateTime.UtcNow,
            };
            Db.Catalogues.Add(published);
            Db.AddToOutbox(Catalogues.Published(published, superseded: null), published.CreatedAt);
        }
    }
}

public sealed class AgreementActivatedConsumer(BillingDbContext db, ILogger<AgreementActivatedConsumer> logger)
    : InboxConsumer<AgreementActivated, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementActivated message, ConsumeContext<AgreementActivated> context)
    {
        var terms = message.PriceTerms;
        await Db.LockKeyAsync($"agreement:{message.AgreementId}", context.CancellationToken);
        // Its end may have arrived first: then it ends there.
        var ended = await Db.EndedAgreements.AsNoTracking().FirstOrDefaultAsync(e => e.AgreementId == message.AgreementId, context.CancellationToken);
        await Db.InsertIfAbsentAsync(new KnownAgreement
        {
            Id = message.AgreementId, HostStateCode = message.HostStateCode, FacilityId = message.FacilityId, GuestStateCode = message.GuestStateCode,
            FacilityListPrice = terms.FacilityListPrice,
            UnitPrices = ResourceVector.FromPrices(terms.UnitPrices),
            StartsAt = message.StartsAt,
            EndsAt = ended is not null && ended.EndedAt < message.EndsAt ? ended.EndedAt : message.EndsAt,
        }, context.CancellationToken);
    }
}

/// <summary>
/// An agreement ended early: its price terms stop applying at that instant. The end is kept whether or not its
/// activation has arrived, so that an activation consumed after it cannot price guest usage beyond the end.
/// </summary>
public sealed class AgreementEndedConsumer(BillingDbContext db, ILogger<AgreementEndedConsumer> logger)
    : InboxConsumer<AgreementEnded, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementEnded message, ConsumeContext<AgreementEnded> context)
    {
        await Db.LockKeyAsync($"agreement:{message.AgreementId}", context.CancellationToken);
        await Db.InsertIfAbsentAsync(new EndedAgreement { AgreementId = message.AgreementId, EndedAt = message.EndedAt }, context.CancellationToken);
        await Db.Agreements.Where(a => a.Id == message.AgreementId && a.EndsAt > message.EndedAt)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.EndsAt, message.EndedAt), context.CancellationToken);
    }
}

public sealed class RoleAssignedConsumer(BillingDbContext db, ILogger<RoleAssignedConsumer> logger)
    : InboxConsumer<RoleAssigned, BillingDbContext>(db, logger)
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

public sealed class RoleRevokedConsumer(BillingDbContext db, ILogger<RoleRevokedConsumer> logger)
    : InboxConsumer<RoleRevoked, BillingDbContext>(db, logger)
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

/// <summary>Keeps the links from state providers' subjects to AES users, by which a state provider's tokens are read.</summary>
public sealed class ExternalIdentityLinkChangedConsumer(BillingDbContext db, ILogger<ExternalIdentityLinkChangedConsumer> logger)
    : InboxConsumer<ExternalIdentityLinkChanged, BillingDbContext>(db, logger)
{
    protected override Task HandleAsync(ExternalIdentityLinkChanged message, ConsumeContext<ExternalIdentityLinkChanged> context) =>
        Aes.Messaging.Identity.KnownExternalIdentities.RecordAsync(Db, message.Issuer, message.Subject, message.UserId, message.StateCode, message.Revision,
            context.CancellationToken);
}

/// <summary>
/// Keeps the catalogue's classes billing meters: how each is metered (per hour or per month) and named on invoices. A class
/// never changes once defined (tenancy refuses other terms for a taken code): the first copy stands.
/// </summary>
public sealed class ResourceClassDefinedConsumer(BillingDbContext db, ILogger<ResourceClassDefinedConsumer> logger)
    : InboxConsumer<ResourceClassDefined, BillingDbContext>(db, logger)
{
    protected override Task HandleAsync(ResourceClassDefined message, ConsumeContext<ResourceClassDefined> context) =>
        Db.InsertIfAbsentAsync(KnownResourceClass.From(
            new(message.Code, message.Unit, message.NameFr, message.NameEn, message.Metering, message.Consumption), message.DefinedAt), context.CancellationToken);
}
