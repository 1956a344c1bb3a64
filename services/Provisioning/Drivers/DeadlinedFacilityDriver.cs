using Aes.Contracts;

namespace Aes.Provisioning.Drivers;

/// <summary>
/// A facility's driver whose every call ends within <paramref name="deadline"/> (<c>Provisioning:FacilityCallTimeout</c>): a facility
/// that stops answering fails the call as unavailable (the workflow tries the step again later) instead of holding the step,
/// its lease and a runner forever. The call may still have reached the facility; every call is idempotent by VM id, so the
/// next try finds what it did.
/// </summary>
public sealed class DeadlinedFacilityDriver(IFacilityDriver inner, TimeSpan deadline) : IFacilityDriver
{
    public IFacilityDriver Inner => inner;

    public Task<FacilityServer> EnsureCreatedAsync(FacilityVmSpec spec, CancellationToken cancellationToken) =>
        WithinAsync("creating a server", token => inner.EnsureCreatedAsync(spec, token), cancellationToken);

    public Task<FacilityServer?> FindAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        WithinAsync("reading a server", token => inner.FindAsync(facility, vmId, token), cancellationToken);

    public Task<bool> EnsureDeletedAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        WithinAsync("removing a server", token => inner.EnsureDeletedAsync(facility, vmId, token), cancellationToken);

    public Task<ResizeProgress> EnsureResizedAsync(FacilityTarget facility, Guid vmId, ResourceVector shape, string nativeFlavour, DateTime askedAt,
        CancellationToken cancellationToken) =>
        WithinAsync("resizing a server", token => inner.EnsureResizedAsync(facility, vmId, shape, nativeFlavour, askedAt, token), cancellationToken);

    public Task<FacilityServer> StopAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        WithinAsync("stopping a server", token => inner.StopAsync(facility, vmId, token), cancellationToken);

    public Task<FacilityServer> StartAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        WithinAsync("starting a server", token => inner.StartAsync(facility, vmId, token), cancellationToken);

    public Task<FacilityServer> RebootAsync(FacilityTarget facility, Guid vmId, bool hard, CancellationToken cancellationToken) =>
        WithinAsync("rebooting a server", token => inner.RebootAsync(facility, vmId, hard, token), cancellationToken);

    public Task<FacilitySnapshot> TakeSnapshotAsync(FacilityTarget facility, Guid vmId, Guid snapshotId, string name, CancellationToken cancellationToken) =>
        WithinAsync("taking a snapshot", token => inner.TakeSnapshotAsync(facility, vmId, snapshotId, name, token), cancellationToken);

    public Task<IReadOnlyList<FacilitySnapshot>> ListSnapshotsAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        WithinAsync("listing snapshots", token => inner.ListSnapshotsAsync(facility, vmId, token), cancellationToken);

    public Task<FacilityConsole> OpenConsoleAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        WithinAsync("opening a console", token => inner.OpenConsoleAsync(facility, vmId, token), cancellationToken);

    public Task EnsureFirewallAsync(FacilityTarget facility, Guid projectId, IReadOnlyList<FirewallRule> rules, CancellationToken cancellationToken) =>
        WithinAsync("setting a security group", async token =>
        {
            await inner.EnsureFirewallAsync(facility, projectId, rules, token);
            return true;
        }, cancellationToken);

    public Task<bool> RemoveProjectNetworkAsync(FacilityTarget facility, Guid projectId, CancellationToken cancellationToken) =>
        WithinAsync("removing a project's network", token => inner.RemoveProjectNetworkAsync(facility, projectId, token), cancellationToken);

    public Task<IReadOnlyList<FacilityServer>> ListAsync(FacilityTarget facility, CancellationToken cancellationToken) =>
        WithinAsync("listing servers", token => inner.ListAsync(facility, token), cancellationToken);

    public Task<FacilityOffer> ListOfferAsync(FacilityTarget facility, CancellationToken cancellationToken) =>
        WithinAsync("reading the catalogue", token => inner.ListOfferAsync(facility, token), cancellationToken);

    public async Task<FacilityHealth> ProbeAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        try
        {
            return await WithinAsync("probing", token => inner.ProbeAsync(facility, token), cancellationToken);
        }
        catch (FacilityDriverException exception) when (exception.Fault == FacilityFault.Unavailable)
        {
            // A probe never throws for an unreachable facility: silence is its answer.
            return new FacilityHealth(false, $"le centre n'a pas répondu en {deadline.TotalSeconds:0} s.", $"the facility did not answer within {deadline.TotalSeconds:0} s.",
                new Dictionary<string, string>(), new Dictionary<string, long>(), deadline);
        }
    }

    private async Task<T> WithinAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(deadline);
        try
        {
            return await call(bounded.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Ours, or an HTTP client's own timeout: either way the facility did not answer in time.
            throw new FacilityDriverException($"{operation}: the facility did not answer within {deadline}", FacilityFault.Unavailable, exception);
        }
    }
}
