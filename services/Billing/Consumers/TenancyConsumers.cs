using Aes.Billing.Application;
using Aes.Billing.Domain;
using Aes.Contracts.Tenancy;

namespace Aes.Billing.Consumers;

public sealed class AgencyRegisteredConsumer(BillingDbContext db, ILogger<AgencyRegisteredConsumer> logger)
    : InboxConsumer<AgencyRegistered, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgencyRegistered message, ConsumeContext<AgencyRegistered> context)
    {
        if (!await Db.Accounts.AnyAsync(a => a.AgencyId == message.AgencyId, context.CancellationToken))
        {
            Db.Accounts.Add(new BillingAccount
            {
                AgencyId = message.AgencyId, StateCode = message.StateCode, AgencyName = message.Name, OpenedAt = message.RegisteredAt,
            });
        }
    }
}

/// <summary>A state's time zone decides where its agencies' invoice months begin and end.</summary>
public sealed class MemberStateRegisteredConsumer(BillingDbContext db, ILogger<MemberStateRegisteredConsumer> logger)
    : InboxConsumer<MemberStateRegistered, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(MemberStateRegistered message, ConsumeContext<MemberStateRegistered> context)
    {
        var state = await Db.States.FindAsync([message.StateCode], context.CancellationToken);
        if (state is null)
        {
            Db.States.Add(new KnownState { Code = message.StateCode, TimeZone = message.TimeZone });
        }
        else
        {
            state.TimeZone = message.TimeZone;
        }
    }
}

/// <summary>Records the facility and, in a demo run, publishes its demo list prices (Seed/demo-prices.json).</summary>
public sealed class FacilityRegisteredConsumer(BillingDbContext db, DemoPrices demoPrices, ILogger<FacilityRegisteredConsumer> logger)
    : InboxConsumer<FacilityRegistered, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(FacilityRegistered message, ConsumeContext<FacilityRegistered> context)
    {
        if (await Db.Facilities.AnyAsync(f => f.Id == message.FacilityId, context.CancellationToken))
        {
            return;
        }
        Db.Facilities.Add(new KnownFacility { Id = message.FacilityId, Code = message.Code, StateCode = message.StateCode, Name = message.Name });
        if (demoPrices.For(message.Code) is { } catalogue)
        {
            var published = new PriceCatalogue
            {
                Id = Guid.CreateVersion7(), FacilityId = message.FacilityId, EffectiveFrom = catalogue.EffectiveFrom,
                Prices = catalogue.Prices, CreatedAt = DateTime.UtcNow,
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
        if (await Db.Agreements.AnyAsync(a => a.Id == message.AgreementId, context.CancellationToken))
        {
            return;
        }
        var terms = message.PriceTerms;
        Db.Agreements.Add(new KnownAgreement
        {
            Id = message.AgreementId, HostStateCode = message.HostStateCode, FacilityId = message.FacilityId, GuestStateCode = message.GuestStateCode,
            FacilityListPrice = terms.FacilityListPrice,
            Prices = new Prices(terms.VcpuHourXof, terms.MemoryGibHourXof, terms.StorageGibMonthXof, terms.PublicIpv4MonthXof),
            StartsAt = message.StartsAt, EndsAt = message.EndsAt,
        });
    }
}

/// <summary>An agreement ended early: its price terms stop applying at that instant. Unknown yet: the retry waits for its activation.</summary>
public sealed class AgreementEndedConsumer(BillingDbContext db, ILogger<AgreementEndedConsumer> logger)
    : InboxConsumer<AgreementEnded, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementEnded message, ConsumeContext<AgreementEnded> context)
    {
        var agreement = await Db.Agreements.FindAsync([message.AgreementId], context.CancellationToken);
        if (agreement is null)
        {
            return; // ended before it was ever active: it priced nothing
        }
        if (message.EndedAt < agreement.EndsAt)
        {
            agreement.EndsAt = message.EndedAt;
        }
    }
}

public sealed class RoleAssignedConsumer(BillingDbContext db, ILogger<RoleAssignedConsumer> logger)
    : InboxConsumer<RoleAssigned, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(RoleAssigned message, ConsumeContext<RoleAssigned> context)
    {
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
    protected override Task HandleAsync(RoleRevoked message, ConsumeContext<RoleRevoked> context) =>
        Db.Roles.Where(r => r.UserId == message.UserId && r.Role == message.Role && r.StateCode == message.StateCode && r.AgencyId == message.AgencyId)
            .ExecuteDeleteAsync(context.CancellationToken);
}
