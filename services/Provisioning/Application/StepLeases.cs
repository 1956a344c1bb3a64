namespace Aes.Provisioning.Application;

/// <summary>The runner no longer holds the request's lease: another runner has its step, and this one must do nothing more.</summary>
public sealed class LeaseLostException(Guid requestId)
    : Exception($"Request {requestId}: the step's lease is held by another runner; this runner stops without acting");

/// <summary>
/// The lease of one request's step, for the scope that takes it (ADR 031). Taking it writes a fresh token; every renewal,
/// release and postponement is conditional on that token, so a runner that lost its lease (paused past its expiry, cut off
/// from the database) can neither extend nor clear another runner's. <see cref="HoldAsync"/> is the fence the workflow
/// passes before each external side effect; the token is also a concurrency token of the request's row, so every save of a
/// stale runner is refused. While the step runs, <see cref="KeepAlive"/> renews the lease, so that a facility slower than
/// the lease does not hand the step to a second runner; if the lease cannot be kept, the step's calls are cancelled.
/// Outside a workflow step (no lease taken) the fence lets everything through.
/// </summary>
public sealed partial class StepLease(ProvisioningDbContext db, IServiceScopeFactory scopes, ProvisioningSettings settings, TimeProvider clock,
    ILogger<StepLease> logger)
{
    private Guid _requestId;
    private Guid _token;
    private DateTime _heldUntil;

    /// <summary>The token of the lease this scope holds, or null if it took none.</summary>
    public Guid? Token => _token == Guid.Empty ? null : _token;

    /// <summary>True once a renewal found the lease in another runner's hands.</summary>
    public bool Lost { get; private set; }

    /// <summary>True once the heartbeat of <see cref="KeepAlive"/> has stopped by itself: the lease given back, or lost.</summary>
    public bool HeartbeatEnded { get; private set; }

    /// <summary>Takes the request's step for this scope alone; false if another runner holds an unexpired lease on it.</summary>
    public async Task<bool> TakeAsync(Guid requestId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (token, until) = (Guid.CreateVersion7(), now + settings.StepLease);
        var taken = await db.Requests.Where(r => r.Id == requestId && (r.LeasedUntil == null || r.LeasedUntil < now))
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeasedUntil, until).SetProperty(r => r.LeaseToken, token)
                .SetProperty(r => r.Version, r => r.Version + 1), cancellationToken) == 1;
        if (taken)
        {
            (_requestId, _token, _heldUntil) = (requestId, token, until);
        }
        return taken;
    }

    /// <summary>
    /// The fence: renews the lease if this scope still holds it, else throws <see cref="LeaseLostException"/>. Called before
    /// every call that changes something outside the request's row (the facility, quota).
    /// </summary>
    public async Task HoldAsync(CancellationToken cancellationToken)
    {
        if (Token is null)
        {
            return;
        }
        if (await RenewAsync(db, cancellationToken) != Renewal.Held)
        {
            Lost = true;
            throw new LeaseLostException(_requestId);
        }
    }

    /// <summary>
    /// Renews the lease every third of its length while the step runs, on a connection of its own; the returned token is
    /// cancelled when the lease is found lost, or when it could not be renewed before it ran out (a database out of reach):
    /// then the runner cannot show it still holds it, and stops.
    /// </summary>
    public KeptLease KeepAlive(CancellationToken cancellationToken)
    {
        var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stop = new CancellationTokenSource();
        var heartbeat = Task.Run(async () =>
        {
            await BeatAsync(step, stop.Token);
            HeartbeatEnded = !stop.IsCancellationRequested;
        }, CancellationToken.None);
        return new KeptLease(step, stop, heartbeat);
    }

    private async Task BeatAsync(CancellationTokenSource step, CancellationToken stopped)
    {
        var interval = settings.StepLease / 3;
        try
        {
            while (true)
            {
                await Task.Delay(interval, clock, stopped);
                Renewal renewal;
                try
                {
                    // A renewal that hangs is no renewal: it may wait only as long as the lease has left to run.
                    using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stopped);
                    bounded.CancelAfter(Max(_heldUntil - clock.GetUtcNow().UtcDateTime, TimeSpan.FromMilliseconds(1)));
                    await using var scope = scopes.CreateAsyncScope();
                    renewal = await RenewAsync(scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>(), bounded.Token);
                }
                catch (Exception exception) when (!stopped.IsCancellationRequested)
                {
                    LogRenewalFailed(exception, _requestId);
                    if (clock.GetUtcNow().UtcDateTime < _heldUntil)
                    {
                        continue;
                    }
                    renewal = Renewal.Lost; // run out without a renewal: this runner cannot show it still holds it
                }
                switch (renewal)
                {
                    case Renewal.Released:
                        return; // the step saved its end meanwhile
                    case Renewal.Lost:
                        Lost = true;
                        LogLeaseLost(_requestId);
                        await step.CancelAsync();
                        return;
                }
            }
        }
        catch (OperationCanceledException) when (stopped.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // Whatever broke the heartbeat, the lease is no longer kept: the step must not go on as if it were.
            LogRenewalFailed(exception, _requestId);
            Lost = true;
            await step.CancelAsync();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private enum Renewal
    {
        Held,
        /// <summary>The row holds no token: this runner's step gave the lease back (its final save).</summary>
        Released,
        /// <summary>The row holds another runner's token.</summary>
        Lost,
    }

    /// <summary>Extends the lease if its token is still this scope's: a lease run out that no runner took is still this one's to keep.</summary>
    private async Task<Renewal> RenewAsync(ProvisioningDbContext context, CancellationToken cancellationToken)
    {
        var until = clock.GetUtcNow().UtcDateTime + settings.StepLease;
        var (requestId, token) = (_requestId, _token);
        if (await context.Requests.Where(r => r.Id == requestId && r.LeaseToken == token)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeasedUntil, until), cancellationToken) == 1)
        {
            _heldUntil = until;
            return Renewal.Held;
        }
        return await context.Requests.AnyAsync(r => r.Id == requestId && r.LeaseToken == null, cancellationToken) ? Renewal.Released : Renewal.Lost;
    }

    /// <summary>Gives the lease back, if this scope still holds it, for the step to be read afresh by any runner.</summary>
    public Task ReleaseAsync(CancellationToken cancellationToken) => EndAsync(null, cancellationToken);

    /// <summary>Gives the lease back and puts the step off by <see cref="ProvisioningSettings.StepRetryDelay"/>, if this scope still holds it.</summary>
    public Task PostponeAsync(CancellationToken cancellationToken) => EndAsync(clock.GetUtcNow().UtcDateTime + settings.StepRetryDelay, cancellationToken);

    private async Task EndAsync(DateTime? nextStepAt, CancellationToken cancellationToken)
    {
        if (Token is null)
        {
            return;
        }
        var (requestId, token) = (_requestId, _token);
        // A fresh context: the step's own may hold the changes of a save that failed.
        await using var scope = scopes.CreateAsyncScope();
        var requests = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>().Requests.Where(r => r.Id == requestId && r.LeaseToken == token);
        var ended = nextStepAt is { } next
            ? await requests.ExecuteUpdateAsync(set => set.SetProperty(r => r.NextStepAt, next).SetProperty(r => r.LeasedUntil, (DateTime?)null)
                .SetProperty(r => r.LeaseToken, (Guid?)null).SetProperty(r => r.Version, r => r.Version + 1), cancellationToken)
            : await requests.ExecuteUpdateAsync(set => set.SetProperty(r => r.LeasedUntil, (DateTime?)null).SetProperty(r => r.LeaseToken, (Guid?)null),
                cancellationToken);
        if (ended == 0)
        {
            Lost = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: the step's lease could not be renewed")]
    private partial void LogRenewalFailed(Exception exception, Guid requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: the step's lease is lost; its calls are cancelled and it does nothing more")]
    private partial void LogLeaseLost(Guid requestId);
}

/// <summary>A lease kept alive while a step runs: <see cref="Token"/> is the step's cancellation; disposing stops the renewals.</summary>
public sealed class KeptLease(CancellationTokenSource step, CancellationTokenSource stop, Task heartbeat) : IAsyncDisposable
{
    public CancellationToken Token => step.Token;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await heartbeat;
        stop.Dispose();
        step.Dispose();
    }
}
