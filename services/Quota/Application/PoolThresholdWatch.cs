using Aes.Contracts.Quota;

namespace Aes.Quota.Application;

/// <summary>
/// Tells when a pool's use of a class passes 85 % of its capacity (PoolThresholdCrossed), every Quota:ThresholdCheckInterval:
/// once per crossing, and again only after use has fallen below 80 %. It reads the inventories apart from the claims, so the
/// claim path does no more work; an alert is at most one interval late.
/// </summary>
public sealed partial class PoolThresholdWatch(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<PoolThresholdWatch> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Quota:ThresholdCheckInterval", TimeSpan.FromSeconds(30));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (TransientDatabaseFailure.Is(exception))
            {
                LogCheckFailed(exception);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, CancellationToken.None);
            }
        }
    }

    /// <summary>Raises and clears the alerts due now; the number of alerts raised.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<QuotaDbContext>();
        var changes = await db.Inventories.AsNoTracking()
            .Where(i => i.Capacity > 0 && (
                (!i.AboveAlert && i.Used * 100 >= i.Capacity * PoolThresholds.AlertPercent)
                || (i.AboveAlert && i.Used * 100 < i.Capacity * PoolThresholds.ClearPercent)))
            .ToListAsync(cancellationToken);
        var raised = 0;
        foreach (var inventory in changes)
        {
            var raise = !inventory.AboveAlert;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Conditional, so a second replica checking at the same moment finds it done and tells nobody twice.
            if (await db.Inventories.Where(i => i.PoolId == inventory.PoolId && i.Class == inventory.Class && i.AboveAlert != raise)
                    .ExecuteUpdateAsync(i => i.SetProperty(x => x.AboveAlert, raise), cancellationToken) == 0)
            {
                continue;
            }
            if (raise && await db.Pools.AsNoTracking().FirstOrDefaultAsync(p => p.Id == inventory.PoolId, cancellationToken) is { } pool)
            {
                var now = clock.GetUtcNow().UtcDateTime;
                db.AddToOutbox(new PoolThresholdCrossed(pool.Id, pool.FacilityId, pool.FacilityCode, pool.Name, pool.StateCode, inventory.Class,
                    inventory.Used, inventory.Capacity, now), now);
                await db.SaveChangesAsync(cancellationToken);
                raised++;
                LogRaised(pool.FacilityCode, pool.Name, inventory.Class, inventory.Used, inventory.Capacity);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return raised;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {FacilityCode}/{PoolName} passed the alert threshold in {ResourceClass}: {Used} of {Capacity}")]
    private partial void LogRaised(string facilityCode, string poolName, string resourceClass, long used, long capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pool threshold check failed; it will try again")]
    private partial void LogCheckFailed(Exception exception);
}
