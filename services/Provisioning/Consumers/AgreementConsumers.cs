using Aes.Contracts;
using Aes.Contracts.Tenancy;

namespace Aes.Provisioning.Consumers;

public sealed class AgreementActivatedConsumer(ProvisioningDbContext db, ILogger<AgreementActivatedConsumer> logger)
    : InboxConsumer<AgreementActivated, ProvisioningDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementActivated message, ConsumeContext<AgreementActivated> context)
    {
        var known = await Db.AgreementsInForce.AnyAsync(a => a.AgreementId == message.AgreementId, context.CancellationToken)
            || await Db.EndedAgreements.AnyAsync(a => a.AgreementId == message.AgreementId, context.CancellationToken);
        if (known)
        {
            return;
        }
        await Db.InsertIfAbsentAsync(new AgreementInForce
        {
            AgreementId = message.AgreementId,
            HostStateCode = message.HostStateCode,
            FacilityId = message.FacilityId,
            GuestStateCode = message.GuestStateCode,
            AllowedClassifications = string.Join(',', message.AllowedClassifications),
            StartsAt = message.StartsAt,
            EndsAt = message.EndsAt,
            FacilityListPrice = message.PriceTerms.FacilityListPrice,
            UnitPrices = ResourceVector.FromPrices(message.PriceTerms.UnitPrices),
        }, context.CancellationToken);
        await Db.WakeWaitingRequestsAsync(context.CancellationToken);
    }
}

/// <summary>Ends an agreement; if the end overtakes the activation, the activation is then ignored.</summary>
public sealed class AgreementEndedConsumer(ProvisioningDbContext db, ILogger<AgreementEndedConsumer> logger)
    : InboxConsumer<AgreementEnded, ProvisioningDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementEnded message, ConsumeContext<AgreementEnded> context)
    {
        await Db.AgreementsInForce.Where(a => a.AgreementId == message.AgreementId).ExecuteDeleteAsync(context.CancellationToken);
        await Db.InsertIfAbsentAsync(new EndedAgreement { AgreementId = message.AgreementId, EndedAt = message.EndedAt }, context.CancellationToken);
    }
}
