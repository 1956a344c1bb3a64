using Aes.Contracts.Tenancy;

namespace Aes.Quota.Consumers;

/// <summary>Keeps the catalogue's classes: once one is known, pools may hold it and agencies get a quota of it (0 until granted).</summary>
public sealed class ResourceClassDefinedConsumer(QuotaDbContext db, ILogger<ResourceClassDefinedConsumer> logger)
    : InboxConsumer<ResourceClassDefined, QuotaDbContext>(db, logger)
{
    protected override Task HandleAsync(ResourceClassDefined message, ConsumeContext<ResourceClassDefined> context) =>
        // A class is never changed once defined (tenancy refuses other terms for a taken code): the first copy stands.
        Db.InsertIfAbsentAsync(new KnownResourceClass { Code = message.Code, Unit = message.Unit, DefinedAt = message.DefinedAt }, context.CancellationToken);
}
