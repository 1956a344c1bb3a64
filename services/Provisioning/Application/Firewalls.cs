using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aes.Provisioning.Drivers;

namespace Aes.Provisioning.Application;

/// <summary>
/// Checks firewall rules as an agency administrator gives them: a known protocol, a port range that exists, a source that is a
/// network (no host bits), and the whole internet only on 80 and 443 unless the administrator confirms it.
/// </summary>
public static class FirewallRules
{
    public const int MaxRules = 50;
    public const int SshPort = 22;
    private static readonly string[] Protocols = ["tcp", "udp", "icmp"];

    public static IReadOnlyList<FirewallRule> Validate(IReadOnlyList<(string Protocol, int PortMin, int PortMax, string SourceCidr)> rules, bool openConfirmed)
    {
        if (rules.Count > MaxRules)
        {
            throw new InvalidFieldException("rules", new($"{MaxRules} règles au plus par projet.", $"at most {MaxRules} rules per project."));
        }
        var valid = new List<FirewallRule>();
        foreach (var ((protocol, min, max, source), i) in rules.Select((r, i) => (r, i)))
        {
            var name = protocol.Trim().ToLowerInvariant();
            if (!Protocols.Contains(name))
            {
                throw new InvalidFieldException($"rules[{i}].protocol", new("tcp, udp ou icmp.", "tcp, udp or icmp."));
            }
            if (name == "icmp")
            {
                if (min != 0 || max != 0)
                {
                    throw new InvalidFieldException($"rules[{i}].port_min", new("icmp n'a pas de port : laissez 0.", "icmp has no port: leave 0."));
                }
            }
            else if (min is < 1 or > 65_535 || max is < 1 or > 65_535 || min > max)
            {
                throw new InvalidFieldException($"rules[{i}].port_min", new("ports de 1 à 65 535, le premier au plus égal au dernier.",
                    "ports from 1 to 65,535, the first no greater than the last."));
            }
            var cidr = Cidr(source, $"rules[{i}].source_cidr");
            if (IsEverywhere(cidr) && !(name == "tcp" && min == max && min is 80 or 443) && !openConfirmed)
            {
                throw new InvalidFieldException($"rules[{i}].source_cidr", new(
                    $"{cidr} ouvre {name} {min}-{max} à tout Internet : seuls les ports 80 et 443 le sont sans confirmation explicite (confirm_open_to_internet).",
                    $"{cidr} opens {name} {min}-{max} to the whole internet: only ports 80 and 443 are, without an explicit confirmation (confirm_open_to_internet)."));
            }
            valid.Add(new FirewallRule(name, min, max, cidr));
        }
        return valid.Distinct().ToList();
    }

    /// <summary>The SSH ranges of an agency, checked as rules on port 22.</summary>
    public static IReadOnlyList<string> ValidateSshRanges(IReadOnlyList<string> cidrs, bool openConfirmed)
    {
        if (cidrs.Count > MaxRules)
        {
            throw new InvalidFieldException("source_cidrs", new($"{MaxRules} plages au plus.", $"at most {MaxRules} ranges."));
        }
        var valid = cidrs.Select((c, i) => Cidr(c, $"source_cidrs[{i}]")).Distinct().ToList();
        if (valid.FirstOrDefault(IsEverywhere) is { } everywhere && !openConfirmed)
        {
            throw new InvalidFieldException("source_cidrs", new(
                $"{everywhere} ouvre SSH à tout Internet : confirmez-le explicitement (confirm_open_to_internet), ou donnez les plages de l'organisme.",
                $"{everywhere} opens SSH to the whole internet: confirm it explicitly (confirm_open_to_internet), or give the agency's ranges."));
        }
        return valid;
    }

    private static string Cidr(string text, string field)
    {
        var trimmed = text.Trim();
        if (!trimmed.Contains('/', StringComparison.Ordinal) || !IPNetwork.TryParse(trimmed, out var network))
        {
            throw new InvalidFieldException(field, new($"{text} n'est pas un réseau CIDR (ex. 196.200.16.0/24).", $"{text} is not a CIDR network (e.g. 196.200.16.0/24)."));
        }
        // Some parsers mask the host bits silently; a source that names a host inside a network is a mistake worth saying.
        if (!network.BaseAddress.Equals(IPAddress.Parse(trimmed.Split('/')[0])))
        {
            throw new InvalidFieldException(field, new($"{text} : l'adresse a des bits d'hôte après le préfixe ; donnez le réseau ({network}).",
                $"{text}: the address has host bits after the prefix; give the network ({network})."));
        }
        return network.ToString();
    }

    private static bool IsEverywhere(string cidr) => cidr.EndsWith("/0", StringComparison.Ordinal);

    public static string Digest(IReadOnlyList<FirewallRule> rules) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rules.Select(r => r.ToString()).Order(StringComparer.Ordinal)))))[..32];
}

/// <summary>
/// Each project's firewall: SSH from its agency's declared ranges, plus the rules its agency administrator sets, applied as
/// the project's security group in every facility where the project has VMs. A facility that cannot take a change now
/// keeps the error and is tried again by the facility monitor.
/// </summary>
public sealed partial class Firewalls(ProvisioningDbContext db, Access access, FacilityDrivers drivers, TimeProvider clock, ILogger<Firewalls> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly VmStatus[] Live =
        [VmStatus.Held, VmStatus.Creating, VmStatus.Active, VmStatus.Resizing, VmStatus.Stopping, VmStatus.Stopped, VmStatus.Starting, VmStatus.Rebooting, VmStatus.Decommissioning];

    public async Task<IReadOnlyList<FirewallRule>> EffectiveRulesAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.ProjectId == projectId, cancellationToken);
        var ssh = project is null ? null : await db.AgencySshAccess.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == project.AgencyId, cancellationToken);
        var own = await db.ProjectFirewalls.AsNoTracking().FirstOrDefaultAsync(f => f.ProjectId == projectId, cancellationToken);
        return SshRules(ssh).Concat(own is null ? [] : RulesOf(own)).Distinct().ToList();
    }

    public async Task<(ProjectFirewall? Own, AgencySshAccess? Ssh, IReadOnlyList<FirewallApplication> Applied)> GetAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.ProjectId == projectId, cancellationToken)
            ?? throw new NotFoundException("Project", projectId.ToString());
        return (await db.ProjectFirewalls.AsNoTracking().FirstOrDefaultAsync(f => f.ProjectId == projectId, cancellationToken),
            await db.AgencySshAccess.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == project.AgencyId, cancellationToken),
            await db.FirewallApplications.AsNoTracking().Where(a => a.ProjectId == projectId).OrderBy(a => a.FacilityCode).ToListAsync(cancellationToken));
    }

    public async Task SetProjectRulesAsync(Guid actor, Guid projectId, IReadOnlyList<FirewallRule> rules, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.ProjectId == projectId, cancellationToken)
            ?? throw new NotFoundException("Project", projectId.ToString());
        await RequireAdministratorAsync(actor, project.AgencyId, cancellationToken);
        var firewall = await db.ProjectFirewalls.FirstOrDefaultAsync(f => f.ProjectId == projectId, cancellationToken);
        if (firewall is null)
        {
            firewall = new ProjectFirewall { ProjectId = projectId, AgencyId = project.AgencyId, RulesJson = "[]" };
            db.ProjectFirewalls.Add(firewall);
        }
        (firewall.RulesJson, firewall.UpdatedBy, firewall.UpdatedAt) = (JsonSerializer.Serialize(rules, Json), actor, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        await ApplyAsync(projectId, cancellationToken);
    }

    public async Task SetSshRangesAsync(Guid actor, Guid agencyId, IReadOnlyList<string> cidrs, CancellationToken cancellationToken)
    {
        if (!await db.Agencies.AnyAsync(a => a.AgencyId == agencyId, cancellationToken))
        {
            throw new NotFoundException("Agency", agencyId.ToString());
        }
        await RequireAdministratorAsync(actor, agencyId, cancellationToken);
        var ssh = await db.AgencySshAccess.FirstOrDefaultAsync(a => a.AgencyId == agencyId, cancellationToken);
        if (ssh is null)
        {
            ssh = new AgencySshAccess { AgencyId = agencyId, SourceCidrs = "" };
            db.AgencySshAccess.Add(ssh);
        }
        (ssh.SourceCidrs, ssh.UpdatedBy, ssh.UpdatedAt) = (string.Join(',', cidrs), actor, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var projectId in await db.Projects.Where(p => p.AgencyId == agencyId).Select(p => p.ProjectId).ToListAsync(cancellationToken))
        {
            await ApplyAsync(projectId, cancellationToken);
        }
    }

    /// <summary>Gives the project's rules to every facility where it has VMs, and records for each whether it took them.</summary>
    public async Task ApplyAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var rules = await EffectiveRulesAsync(projectId, cancellationToken);
        var digest = FirewallRules.Digest(rules);
        var facilities = await db.Vms.Where(v => v.FacilityId != null && Live.Contains(v.Status))
            .Join(db.Requests.Where(r => r.ProjectId == projectId), v => v.RequestId, r => r.Id, (v, _) => new { v.FacilityId, v.FacilityCode })
            .Distinct().ToListAsync(cancellationToken);
        foreach (var facility in facilities)
        {
            var target = new FacilityTarget(facility.FacilityId!.Value, facility.FacilityCode!);
            string? error = null;
            try
            {
                await (await drivers.ForAsync(target, cancellationToken)).EnsureFirewallAsync(target, projectId, rules, cancellationToken);
            }
            catch (FacilityDriverException exception)
            {
                error = exception.Message.Length <= 1000 ? exception.Message : exception.Message[..1000];
                LogNotApplied(target.FacilityCode, projectId, error);
            }
            await RecordAsync(projectId, target, digest, error, cancellationToken);
        }
    }

    /// <summary>Records that a facility holds (or could not take) the project's rules of <paramref name="digest"/>.</summary>
    public async Task RecordAsync(Guid projectId, FacilityTarget facility, string digest, string? error, CancellationToken cancellationToken)
    {
        var applied = await db.FirewallApplications.FirstOrDefaultAsync(a => a.ProjectId == projectId && a.FacilityId == facility.FacilityId, cancellationToken);
        if (applied is null)
        {
            applied = new FirewallApplication { ProjectId = projectId, FacilityId = facility.FacilityId, FacilityCode = facility.FacilityCode, Digest = digest };
            db.FirewallApplications.Add(applied);
        }
        (applied.Digest, applied.Error) = (digest, error);
        applied.AppliedAt = error is null ? clock.GetUtcNow().UtcDateTime : applied.AppliedAt;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Tries again the projects whose rules the facility could not take.</summary>
    public async Task RetryFailedAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        foreach (var projectId in await db.FirewallApplications.Where(a => a.FacilityId == facilityId && a.Error != null).Select(a => a.ProjectId).Distinct()
            .ToListAsync(cancellationToken))
        {
            await ApplyAsync(projectId, cancellationToken);
        }
    }

    public static IReadOnlyList<FirewallRule> RulesOf(ProjectFirewall firewall) => JsonSerializer.Deserialize<List<FirewallRule>>(firewall.RulesJson, Json) ?? [];

    public static IReadOnlyList<string> SshRangesOf(AgencySshAccess? ssh) =>
        ssh?.SourceCidrs.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];

    private static IEnumerable<FirewallRule> SshRules(AgencySshAccess? ssh) =>
        SshRangesOf(ssh).Select(cidr => new FirewallRule("tcp", FirewallRules.SshPort, FirewallRules.SshPort, cidr));

    private async Task RequireAdministratorAsync(Guid actor, Guid agencyId, CancellationToken cancellationToken)
    {
        if (!Access.Administers(await access.RolesAsync(actor, cancellationToken), agencyId))
        {
            throw new ForbiddenException(new("Seul un administrateur de l'organisme règle son pare-feu.", "Only an administrator of the agency sets its firewall."));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Facility} did not take the firewall of project {ProjectId}: {Reason}")]
    private partial void LogNotApplied(string facility, Guid projectId, string reason);
}
