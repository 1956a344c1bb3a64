using Aes.Contracts;

namespace Aes.Provisioning.Drivers;

/// <summary>Which facility a call is for; the driver finds that facility's connection and credentials itself.</summary>
public sealed record FacilityTarget(Guid FacilityId, string FacilityCode);

/// <summary>
/// What a facility is asked to build. The VM's id is the idempotency key across retries and crashes: it is
/// in the server's name and metadata, so a retry finds the server instead of building a second one.
/// <see cref="NativeFlavour"/> and <see cref="NativeImage"/> are the facility's own ids, from its catalogue.
/// <see cref="SshPublicKeys"/> are installed for the image's default user; <see cref="UserData"/> goes to cloud-init as is.
/// <see cref="Size"/> is the VM's, every class: the flavour fixes its server shape, and a public IPv4 in it is given beside.
/// </summary>
public sealed record FacilityVmSpec(
    Guid VmId, FacilityTarget Facility, string Name, ResourceVector Size, string NativeFlavour, string NativeImage,
    Guid AgencyId, Guid RequestId, IReadOnlyList<string> SshPublicKeys, string? UserData, Guid ProjectId, IReadOnlyList<FirewallRule> Firewall);

/// <summary>One inbound rule of a project's security group: a protocol (tcp, udp, icmp), a port range (0–0 for icmp) and a source.</summary>
public sealed record FirewallRule(string Protocol, int PortMin, int PortMax, string SourceCidr);

public enum ServerState
{
    Building,
    Active,
    /// <summary>Being powered off (Nova's task_state powering-off): stopped soon.</summary>
    Stopping,
    Stopped,
    /// <summary>Being powered on (Nova's task_state powering-on): active soon.</summary>
    Starting,
    Rebooting,
    Resizing,
    /// <summary>Resized and waiting for a confirmation (or a revert).</summary>
    ResizeToConfirm,
    Deleting,
    Error,
}

/// <summary>
/// A server as its facility has it; <see cref="Fault"/> says why when it is in <see cref="ServerState.Error"/>. <see cref="Addresses"/>
/// are its private addresses; <see cref="PublicAddress"/> its public IPv4 once it has one. <see cref="Shape"/> is what its flavour
/// fixes, by class (<see cref="VmSizes.ServerShape"/>).
/// </summary>
public sealed record FacilityServer(
    Guid VmId, string ServerId, string Name, ServerState State, string? Fault, ResourceVector Shape, string NativeFlavour, string NativeImage,
    IReadOnlyList<string> Addresses, DateTime? CreatedAt, string? PublicAddress = null);

/// <summary>A snapshot as its facility has it: <see cref="Status"/> is creating, available or error.</summary>
public sealed record FacilitySnapshot(Guid SnapshotId, string ImageId, string Status);

/// <summary>A console opened on a server: a URL a browser opens, valid for a short time, and what is behind it.</summary>
public sealed record FacilityConsole(string Url, string Kind);

/// <summary>Where a resize stands after a call: done, still under way, or refused by the facility (which then keeps the old size).</summary>
public sealed record ResizeProgress(bool Done, string? FailedReason)
{
    public static readonly ResizeProgress Finished = new(true, null);
    public static readonly ResizeProgress UnderWay = new(false, null);
    public static ResizeProgress Failed(string reason) => new(true, reason);
}

/// <summary>A facility's flavour: its ids and what it fixes, by class (vCPU, memory, disk).</summary>
public sealed record NativeFlavour(string Id, string Name, ResourceVector Shape);

public sealed record NativeImage(string Id, string Name);

/// <summary>What a facility offers: its own flavours and images. A facility that builds any size says so (the simulated one).</summary>
public sealed record FacilityOffer(IReadOnlyList<NativeFlavour> Flavours, IReadOnlyList<NativeImage> Images, bool AnySize);

/// <summary>A connection test: could we sign in, which APIs the catalogue names, and the project's limits as the facility sees them.</summary>
public sealed record FacilityHealth(bool Reachable, string DetailFr, string DetailEn, IReadOnlyDictionary<string, string> Endpoints,
    IReadOnlyDictionary<string, long> Limits, TimeSpan Latency);

public enum FacilityFault
{
    /// <summary>The facility cannot be reached or answers 5xx: the same call may work later.</summary>
    Unavailable,
    /// <summary>The facility refused (its quota, a bad request, a state that does not allow it): retrying changes nothing.</summary>
    Refused,
}

/// <summary>A facility failed or refused an operation, with its own words; the workflow retries the unavailable and compensates the refused.</summary>
public sealed class FacilityDriverException(string message, FacilityFault fault = FacilityFault.Refused, Exception? inner = null) : Exception(message, inner)
{
    public FacilityFault Fault { get; } = fault;
}

/// <summary>
/// One facility's compute API, behind which any cloud stack can sit (ADR 015). Every call is idempotent by
/// VM id: creating a VM that exists returns it, deleting one that is gone succeeds, and nothing waits for
/// a slow facility: a call asks, and the workflow comes back later to see where it stands. A driver passes
/// the contract suite (tests/Aes.Provisioning.Tests/Drivers) against its real facility.
/// </summary>
public interface IFacilityDriver
{
    /// <summary>
    /// The server of <see cref="FacilityVmSpec.VmId"/>, asked for if the facility has none yet, on its project's private network and
    /// behind its project's security group (both made on first use); it may still be building. Once it is active and the spec asks
    /// for a public IPv4, the same call gives it one (<see cref="FacilityServer.PublicAddress"/>).
    /// </summary>
    Task<FacilityServer> EnsureCreatedAsync(FacilityVmSpec spec, CancellationToken cancellationToken);

    /// <summary>The server of <paramref name="vmId"/>, or null when the facility has none (never built, or gone).</summary>
    Task<FacilityServer?> FindAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken);

    /// <summary>Asks for the server's removal if it is there; true once the facility has none, and its public IPv4, key pair and snapshots are released.</summary>
    Task<bool> EnsureDeletedAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the server to <paramref name="shape"/> (the facility's flavour <paramref name="nativeFlavour"/>): asks, confirms when the facility has
    /// resized, and reverts what it cannot confirm. <paramref name="askedAt"/> is when the marketplace first asked, so a failure after it is seen.
    /// </summary>
    Task<ResizeProgress> EnsureResizedAsync(FacilityTarget facility, Guid vmId, ResourceVector shape, string nativeFlavour, DateTime askedAt, CancellationToken cancellationToken);

    Task<FacilityServer> StopAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken);

    Task<FacilityServer> StartAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken);

    Task<FacilityServer> RebootAsync(FacilityTarget facility, Guid vmId, bool hard, CancellationToken cancellationToken);

    /// <summary>Takes a snapshot of the server's disk as <paramref name="snapshotId"/>; the same id again is the same snapshot.</summary>
    Task<FacilitySnapshot> TakeSnapshotAsync(FacilityTarget facility, Guid vmId, Guid snapshotId, string name, CancellationToken cancellationToken);

    /// <summary>The VM's snapshots as the facility has them now (they go with the VM: <see cref="EnsureDeletedAsync"/> removes them).</summary>
    Task<IReadOnlyList<FacilitySnapshot>> ListSnapshotsAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken);

    /// <summary>Opens the server's remote console; refused when the server has none to give (not running).</summary>
    Task<FacilityConsole> OpenConsoleAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the project's security group in the facility hold exactly <paramref name="rules"/> inbound (nothing else comes in;
    /// everything goes out), creating it if the project has none there yet.
    /// </summary>
    Task EnsureFirewallAsync(FacilityTarget facility, Guid projectId, IReadOnlyList<FirewallRule> rules, CancellationToken cancellationToken);

    /// <summary>Removes the project's network and security group from the facility once no server uses them; true once they are gone.</summary>
    Task<bool> RemoveProjectNetworkAsync(FacilityTarget facility, Guid projectId, CancellationToken cancellationToken);

    /// <summary>Every server of the facility that carries the marketplace's metadata, for reconciliation.</summary>
    Task<IReadOnlyList<FacilityServer>> ListAsync(FacilityTarget facility, CancellationToken cancellationToken);

    Task<FacilityOffer> ListOfferAsync(FacilityTarget facility, CancellationToken cancellationToken);

    /// <summary>Signs in and reads the facility's APIs; never throws for an unreachable facility: that is its answer.</summary>
    Task<FacilityHealth> ProbeAsync(FacilityTarget facility, CancellationToken cancellationToken);
}
