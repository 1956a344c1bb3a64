using Aes.Billing.Domain;

namespace Aes.Billing.Application;

/// <summary>The classes billing knows (its projection of tenancy's catalogue), read once per scope.</summary>
public sealed class BillingClasses(BillingDbContext db)
{
    private MeteredClasses? _loaded;

    public async Task<MeteredClasses> AllAsync(CancellationToken cancellationToken) =>
        _loaded ??= new((await db.ResourceClasses.AsNoTracking().ToListAsync(cancellationToken)).Select(c => c.Definition));
}
