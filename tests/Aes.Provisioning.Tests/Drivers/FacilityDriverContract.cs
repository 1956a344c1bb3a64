using Aes.Contracts;
using Aes.Provisioning.Drivers;
using Aes.Testing;

namespace Aes.Provisioning.Tests.Drivers;

/// <summary>What a facility under test gives the contract suite besides its driver.</summary>
public interface IDriverUnderTest
{
    IFacilityDriver Driver { get; }
    FacilityTarget Facility { get; }
    /// <summary>The facility's own flavour ids for a small and a larger size, and one no host can carry.</summary>
    (string Native, ResourceVector Size) Small { get; }
    (string Native, ResourceVector Size) Larger { get; }
    (string Native, ResourceVector Size) TooLarge { get; }
    string Image { get; }
    /// <summary>Removes the server behind the driver's back, as a facility's own operator might.</summary>
    Task DeleteBehindTheBackAsync(FacilityServer server);
    /// <summary>What the facility itself holds for the VM, read from its own store or APIs, not through the driver.</summary>
    Task<InstalledAccess> ReadBackAsync(Guid vmId, string serverId);
    /// <summary>The project's network and security group as the facility holds them; null when it has none. Rules read "tcp 22-22 10.0.0.0/8".</summary>
    Task<IReadOnlyList<string>?> ProjectFirewallAsync(Guid projectId);
}

/// <summary>A VM's keys (one line each), its user data and the public addresses the facility holds for it.</summary>
public sealed record InstalledAccess(IReadOnlyList<string> SshPublicKeys, string? UserData, IReadOnlyList<string> PublicAddresses);

/// <summary>
/// The facility driver contract (ADR 015), one suite for every driver: the simulated facility and a real OpenStack
/// run it, and a third driver (libvirt, VMware, Proxmox) would have to pass it too. Every call asks or reads; the
/// suite comes back as the workflow would until the facility has done what was asked.
/// </summary>
public abstract class FacilityDriverContract(IDriverUnderTest facility)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private IFacilityDriver Driver => facility.Driver;

    /// <summary>One project for the suite's servers, so that the facility holds one network for them.</summary>
    private static readonly Guid SuiteProject = Guid.NewGuid();

    private FacilityVmSpec Spec(Guid vmId, (string Native, ResourceVector Size) flavour) =>
        new(vmId, facility.Facility, $"contract-{vmId.ToString()[..8]}", flavour.Size, flavour.Native, facility.Image, Guid.NewGuid(), Guid.NewGuid(), [], null,
            SuiteProject, [new FirewallRule("tcp", 22, 22, "196.200.16.0/24")]);

    private async Task<FacilityServer> UntilAsync(Guid vmId, Func<FacilityServer, bool> done, string what)
    {
        FacilityServer? server = null;
        await Eventually.HoldsAsync(async () => (server = await Driver.FindAsync(facility.Facility, vmId, CancellationToken.None)) is { } s && done(s), Patience, what);
        return server!;
    }

    private async Task<FacilityServer> BuiltAsync(Guid vmId)
    {
        var server = await UntilAsync(vmId, s => s.State is ServerState.Active or ServerState.Error, "the server is built");
        Assert.True(server.State == ServerState.Active, $"built into {server.State}: {server.Fault}");
        return server;
    }

    private async Task GoneAsync(Guid vmId) =>
        await Eventually.HoldsAsync(async () => await Driver.EnsureDeletedAsync(facility.Facility, vmId, CancellationToken.None), Patience, "the server is gone");

    [Fact]
    public async Task A_server_gets_its_keys_user_data_and_one_public_ipv4_opens_a_console_and_releases_them_with_it()
    {
        var vmId = Guid.NewGuid();
        string[] keys = [SshTestKeys.NewEd25519("amina@anip.ml"), SshTestKeys.OpenSshRsa3072];
        const string userData = "#cloud-config\nhostname: anip-portail\nwrite_files:\n  - path: /etc/motd\n    content: Hébergé à Bamako\n";
        var spec = Spec(vmId, facility.Small) with { Size = facility.Small.Size.Add(ResourceVector.Of(("public_ipv4", 1))), SshPublicKeys = keys, UserData = userData };
        FacilityServer? server = null;
        await Eventually.HoldsAsync(async () => (server = await Driver.EnsureCreatedAsync(spec, CancellationToken.None)) is { State: ServerState.Active, PublicAddress: not null },
            Patience, "the server runs with a public address");
        Assert.True(System.Net.IPAddress.TryParse(server!.PublicAddress, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
            $"{server.PublicAddress} is not an IPv4 address");
        Assert.DoesNotContain(server.PublicAddress, server.Addresses);
        Assert.NotEmpty(server.Addresses);
        var again = await Driver.EnsureCreatedAsync(spec, CancellationToken.None);
        Assert.Equal(server.PublicAddress, again.PublicAddress);

        var installed = await facility.ReadBackAsync(vmId, server.ServerId);
        Assert.Equal(keys, installed.SshPublicKeys);
        Assert.Equal(userData, installed.UserData);
        Assert.Equal([server.PublicAddress], installed.PublicAddresses); // one, however often it was asked for

        var console = await Driver.OpenConsoleAsync(facility.Facility, vmId, CancellationToken.None);
        Assert.False(string.IsNullOrWhiteSpace(console.Url));
        await Driver.StopAsync(facility.Facility, vmId, CancellationToken.None);
        await UntilAsync(vmId, s => s.State == ServerState.Stopped, "the server is stopped");
        await Assert.ThrowsAsync<FacilityDriverException>(() => Driver.OpenConsoleAsync(facility.Facility, vmId, CancellationToken.None));

        await GoneAsync(vmId);
        var left = await facility.ReadBackAsync(vmId, server.ServerId);
        Assert.Empty(left.PublicAddresses);
        Assert.Empty(left.SshPublicKeys);
    }

    [Fact]
    public async Task A_project_gets_one_network_and_security_group_holding_exactly_its_rules_removed_only_once_its_last_server_is_gone()
    {
        var project = Guid.NewGuid();
        FirewallRule[] rules = [new("tcp", 22, 22, "196.200.16.0/24"), new("tcp", 443, 443, "0.0.0.0/0")];
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await Task.WhenAll(
            Driver.EnsureCreatedAsync(Spec(first, facility.Small) with { ProjectId = project, Firewall = rules }, CancellationToken.None),
            Driver.EnsureCreatedAsync(Spec(second, facility.Small) with { ProjectId = project, Firewall = rules }, CancellationToken.None));
        await BuiltAsync(first);
        await BuiltAsync(second);
        Assert.Equal(["tcp 22-22 196.200.16.0/24", "tcp 443-443 0.0.0.0/0"], await facility.ProjectFirewallAsync(project));

        // A change replaces the rules: what is no longer asked for goes, what is new comes, the same asked twice is one rule.
        FirewallRule[] changed = [new("tcp", 22, 22, "41.73.0.0/16"), new("udp", 5000, 5010, "10.20.0.0/16"), new("icmp", 0, 0, "10.20.0.0/16")];
        await Driver.EnsureFirewallAsync(facility.Facility, project, changed, CancellationToken.None);
        await Driver.EnsureFirewallAsync(facility.Facility, project, changed, CancellationToken.None);
        Assert.Equal(["icmp 0-0 10.20.0.0/16", "tcp 22-22 41.73.0.0/16", "udp 5000-5010 10.20.0.0/16"], await facility.ProjectFirewallAsync(project));

        Assert.False(await Driver.RemoveProjectNetworkAsync(facility.Facility, project, CancellationToken.None));
        await GoneAsync(first);
        Assert.False(await Driver.RemoveProjectNetworkAsync(facility.Facility, project, CancellationToken.None));
        Assert.NotNull(await facility.ProjectFirewallAsync(project));
        await GoneAsync(second);
        Assert.True(await Driver.RemoveProjectNetworkAsync(facility.Facility, project, CancellationToken.None));
        Assert.Null(await facility.ProjectFirewallAsync(project));
        Assert.True(await Driver.RemoveProjectNetworkAsync(facility.Facility, project, CancellationToken.None)); // gone is gone
    }

    [Fact]
    public async Task A_snapshot_asked_twice_with_one_id_is_one_listed_with_its_vm_and_removed_with_it()
    {
        var vmId = Guid.NewGuid();
        await Driver.EnsureCreatedAsync(Spec(vmId, facility.Small), CancellationToken.None);
        await BuiltAsync(vmId);
        var snapshotId = Guid.NewGuid();
        var first = await Driver.TakeSnapshotAsync(facility.Facility, vmId, snapshotId, "avant la mise à jour", CancellationToken.None);
        var again = await Driver.TakeSnapshotAsync(facility.Facility, vmId, snapshotId, "avant la mise à jour", CancellationToken.None);
        Assert.Equal((snapshotId, first.ImageId), (again.SnapshotId, again.ImageId));
        Assert.Contains(first.Status, new[] { "creating", "available" });
        var listed = Assert.Single(await Driver.ListSnapshotsAsync(facility.Facility, vmId, CancellationToken.None));
        Assert.Equal((snapshotId, first.ImageId), (listed.SnapshotId, listed.ImageId));
        await Assert.ThrowsAsync<FacilityDriverException>(() => Driver.TakeSnapshotAsync(facility.Facility, Guid.NewGuid(), Guid.NewGuid(), "rien", CancellationToken.None));

        await GoneAsync(vmId);
        Assert.Empty(await Driver.ListSnapshotsAsync(facility.Facility, vmId, CancellationToken.None));
    }

    [Fact]
    public async Task A_create_retried_with_the_same_vm_id_builds_one_server_that_carries_the_id_and_is_listed()
    {
        var vmId = Guid.NewGuid();
        var first = await Driver.EnsureCreatedAsync(Spec(vmId, facility.Small), CancellationToken.None);
        var again = await Driver.EnsureCreatedAsync(Spec(vmId, facility.Small), CancellationToken.None);
        Assert.Equal(first.ServerId, again.ServerId);

        var built = await BuiltAsync(vmId);
        Assert.Equal(vmId, built.VmId);
        Assert.Equal(facility.Small.Size, built.Shape);
        Assert.Contains(vmId.ToString(), built.Name + built.ServerId);
        Assert.NotEmpty(built.Addresses);
        Assert.Single((await Driver.ListAsync(facility.Facility, CancellationToken.None)), s => s.VmId == vmId);
        await GoneAsync(vmId);
    }

    [Fact]
    public async Task A_resize_is_confirmed_and_one_no_host_can_carry_fails_leaving_the_server_as_it_was()
    {
        var vmId = Guid.NewGuid();
        await Driver.EnsureCreatedAsync(Spec(vmId, facility.Small), CancellationToken.None);
        await BuiltAsync(vmId);

        var asked = DateTime.UtcNow;
        ResizeProgress progress = ResizeProgress.UnderWay;
        await Eventually.HoldsAsync(async () => (progress = await Driver.EnsureResizedAsync(facility.Facility, vmId, facility.Larger.Size, facility.Larger.Native, asked,
            CancellationToken.None)).Done, Patience, "the resize is done");
        Assert.Null(progress.FailedReason);
        Assert.Equal(facility.Larger.Size, (await UntilAsync(vmId, s => s.State == ServerState.Active, "active again")).Shape);

        asked = DateTime.UtcNow;
        await Eventually.HoldsAsync(async () => (progress = await Driver.EnsureResizedAsync(facility.Facility, vmId, facility.TooLarge.Size, facility.TooLarge.Native, asked,
            CancellationToken.None)).Done, Patience, "the impossible resize ends");
        Assert.NotNull(progress.FailedReason);
        var after = await UntilAsync(vmId, s => s.State == ServerState.Active, "active, as it was");
        Assert.Equal(facility.Larger.Size, after.Shape);
        await GoneAsync(vmId);
    }

    [Fact]
    public async Task A_server_is_stopped_started_and_rebooted_and_a_start_that_makes_no_sense_is_refused()
    {
        var vmId = Guid.NewGuid();
        await Driver.EnsureCreatedAsync(Spec(vmId, facility.Small), CancellationToken.None);
        await BuiltAsync(vmId);

        var refused = await Assert.ThrowsAsync<FacilityDriverException>(() => Driver.StartAsync(facility.Facility, vmId, CancellationToken.None));
        Assert.Equal(FacilityFault.Refused, refused.Fault);
        await Driver.StopAsync(facility.Facility, vmId, CancellationToken.None);
        await UntilAsync(vmId, s => s.State == ServerState.Stopped, "stopped");
        await Driver.StartAsync(facility.Facility, vmId, CancellationToken.None);
        await UntilAsync(vmId, s => s.State == ServerState.Active, "running again");
        await Driver.RebootAsync(facility.Facility, vmId, hard: true, CancellationToken.None);
        await UntilAsync(vmId, s => s.State == ServerState.Active, "rebooted");
        await GoneAsync(vmId);
    }

    [Fact]
    public async Task A_delete_is_done_once_the_server_is_gone_and_deleting_what_is_gone_succeeds()
    {
        var vmId = Guid.NewGuid();
        await Driver.EnsureCreatedAsync(Spec(vmId, facility.Small), CancellationToken.None);
        await BuiltAsync(vmId);

        Assert.False(await Driver.EnsureDeletedAsync(facility.Facility, vmId, CancellationToken.None)); // asked, not yet gone
        await GoneAsync(vmId);
        Assert.Null(await Driver.FindAsync(facility.Facility, vmId, CancellationToken.None));
        Assert.True(await Driver.EnsureDeletedAsync(facility.Facility, vmId, CancellationToken.None));
        Assert.True(await Driver.EnsureDeletedAsync(facility.Facility, Guid.NewGuid(), CancellationToken.None)); // never built
    }

    [Fact]
    public async Task A_server_no_host_can_carry_ends_in_error_with_the_facilitys_fault()
    {
        var vmId = Guid.NewGuid();
        await Driver.EnsureCreatedAsync(Spec(vmId, facility.TooLarge), CancellationToken.None);
        var failed = await UntilAsync(vmId, s => s.State is ServerState.Error or ServerState.Active, "the build ends");
        Assert.Equal(ServerState.Error, failed.State);
        Assert.Contains("No valid host", failed.Fault);
        await GoneAsync(vmId);
    }

    [Fact]
    public async Task A_server_removed_behind_the_drivers_back_is_no_longer_found_nor_listed()
    {
        var vmId = Guid.NewGuid();
        await Driver.EnsureCreatedAsync(Spec(vmId, facility.Small), CancellationToken.None);
        var built = await BuiltAsync(vmId);

        await facility.DeleteBehindTheBackAsync(built);
        await Eventually.HoldsAsync(async () => await Driver.FindAsync(facility.Facility, vmId, CancellationToken.None) is null, Patience, "seen gone");
        Assert.DoesNotContain(await Driver.ListAsync(facility.Facility, CancellationToken.None), s => s.VmId == vmId);
    }

    [Fact]
    public async Task The_facility_lists_its_flavours_and_images_and_answers_a_probe()
    {
        var offer = await Driver.ListOfferAsync(facility.Facility, CancellationToken.None);
        Assert.Contains(offer.Flavours, f => f.Id == facility.Small.Native && f.Shape == facility.Small.Size);
        Assert.Contains(offer.Images, i => i.Id == facility.Image);

        var health = await Driver.ProbeAsync(facility.Facility, CancellationToken.None);
        Assert.True(health.Reachable, health.DetailEn);
        Assert.NotEmpty(health.Endpoints);
    }
}
