using Aes.Contracts;
using Aes.ServiceDefaults.Paging;
using System.Text.RegularExpressions;
using Aes.Provisioning.Drivers;
using Aes.Provisioning.Drivers.OpenStack;

namespace Aes.Provisioning.Application;

/// <summary>A facility's availability over a period: what was watched of it, and how much of that it was down.</summary>
public sealed record AvailabilityFigure(string Period, double Percent, long DowntimeMinutes, long ObservedMinutes);

/// <summary>
/// What a state's operators do with their facility's cloud: connect it (ADR 015), test the connection, map its
/// catalogue, read reconciliation's findings and the measured availability. Operators act on their own state's
/// facilities only: the access rules check it, and the connection names the facility whose state that is.
/// </summary>
public sealed partial class Facilities(
    ProvisioningDbContext db, FacilityDrivers drivers, FacilityAccounts accounts, FacilityCatalogues catalogues, OpenStackFacilityDriver openStack,
    IConfiguration configuration, TimeProvider clock)
{
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex ReferencePattern();

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<KnownFacility> FacilityAsync(Guid facilityId, CancellationToken cancellationToken) =>
        await db.Facilities.AsNoTracking().FirstOrDefaultAsync(f => f.FacilityId == facilityId, cancellationToken)
        ?? throw new NotFoundException("Facility", facilityId.ToString());

    /// <summary>Connects the facility to its cloud, or back to the simulator; its catalogue is read at once.</summary>
    public async Task<FacilityConnection> ConnectAsync(Guid facilityId, Guid actor, string driver, string authUrl, string region, string project,
        string projectDomain, string credentialReference, string network, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(facilityId, cancellationToken);
        driver = driver.Trim().ToLowerInvariant();
        if (!FacilityDrivers.Kinds.Contains(driver))
        {
            throw new InvalidFieldException("driver", new($"doit être l'un de : {string.Join(", ", FacilityDrivers.Kinds)}.", $"must be one of: {string.Join(", ", FacilityDrivers.Kinds)}."));
        }
        var existing = await db.Connections.FirstOrDefaultAsync(c => c.FacilityId == facilityId, cancellationToken);
        if (driver == FacilityDrivers.Simulated)
        {
            await RequireNoVmsAsync(facility, existing?.Driver ?? FacilityDrivers.Simulated, driver, cancellationToken);
            if (existing is not null)
            {
                db.Connections.Remove(existing);
                await db.SaveChangesAsync(cancellationToken);
            }
            Forget(facilityId);
            return new FacilityConnection
            {
                FacilityId = facilityId, FacilityCode = facility.Code, Driver = driver, AuthUrl = "", Region = "", Project = "", ProjectDomain = "",
                CredentialReference = "", Network = "", UpdatedAt = Now,
            };
        }
        if (!Uri.TryCreate(authUrl.Trim(), UriKind.Absolute, out var keystone) || keystone.Scheme is not ("https" or "http"))
        {
            throw new InvalidFieldException("auth_url", new("doit être l'adresse http(s) de Keystone v3.", "must be Keystone v3's http(s) address."));
        }
        var reference = credentialReference.Trim();
        if (!ReferencePattern().IsMatch(reference))
        {
            throw new InvalidFieldException("credential_reference", new(
                "un nom de secret : minuscules, chiffres, « . », « _ » ou « - ».", "a secret's name: lower-case letters, digits, '.', '_' or '-'."));
        }
        if (!FacilityCredentials.Present(configuration, reference))
        {
            throw new RuleViolationException(new(
                $"Le magasin de secrets n'a pas d'identifiants sous « {reference} » (FacilityCredentials:{reference}) : ajoutez-les d'abord.",
                $"The secret store has no credentials under '{reference}' (FacilityCredentials:{reference}): add them first."));
        }
        if (existing is not null && existing.Driver != driver)
        {
            await RequireNoVmsAsync(facility, existing.Driver, driver, cancellationToken);
        }
        else if (existing is null)
        {
            await RequireNoVmsAsync(facility, FacilityDrivers.Simulated, driver, cancellationToken);
        }
        if (existing is null)
        {
            existing = new FacilityConnection
            {
                FacilityId = facilityId, FacilityCode = facility.Code, Driver = driver, AuthUrl = "", Region = "", Project = "", ProjectDomain = "",
                CredentialReference = "", Network = "",
            };
            db.Connections.Add(existing);
        }
        existing.Driver = driver;
        existing.AuthUrl = keystone.ToString().TrimEnd('/');
        existing.Region = Validate.Name(region, "region", 64);
        existing.Project = Validate.Name(project, "project", 64);
        existing.ProjectDomain = string.IsNullOrWhiteSpace(projectDomain) ? "Default" : Validate.Name(projectDomain, "project_domain", 64);
        existing.CredentialReference = reference;
        existing.Network = Validate.Name(network, "network", 64);
        existing.UpdatedBy = actor;
        existing.UpdatedAt = Now;
        await db.SaveChangesAsync(cancellationToken);
        Forget(facilityId);
        return existing;
    }

    /// <summary>What runs in a facility stays on the stack that built it: switching a facility's cloud with VMs in it would orphan them.</summary>
    private async Task RequireNoVmsAsync(KnownFacility facility, string from, string to, CancellationToken cancellationToken)
    {
        if (from == to)
        {
            return;
        }
        if (await db.Vms.AnyAsync(v => v.FacilityId == facility.FacilityId && v.Status != VmStatus.Decommissioned && v.Status != VmStatus.Removed
                && v.Status != VmStatus.Lost && v.Status != VmStatus.Pending, cancellationToken))
        {
            throw new RuleViolationException(new(
                $"{facility.Code} a des VM sur « {from} » : décommissionnez-les avant de changer de pilote.",
                $"{facility.Code} has VMs on '{from}': decommission them before changing its driver."));
        }
    }

    private void Forget(Guid facilityId)
    {
        accounts.Forget(facilityId);
        openStack.Forget(facilityId);
    }

    public async Task<(FacilityConnection Connection, bool CredentialsPresent)> ConnectionAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(facilityId, cancellationToken);
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.FacilityId == facilityId, cancellationToken)
            ?? new FacilityConnection
            {
                FacilityId = facilityId, FacilityCode = facility.Code, Driver = await drivers.KindOfAsync(new FacilityTarget(facilityId, facility.Code), cancellationToken),
                AuthUrl = "", Region = "", Project = "", ProjectDomain = "", CredentialReference = "", Network = "",
            };
        return (connection, connection.Driver == FacilityDrivers.Simulated || FacilityCredentials.Present(configuration, connection.CredentialReference));
    }

    public async Task<FacilityHealth> TestAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(facilityId, cancellationToken);
        var target = new FacilityTarget(facilityId, facility.Code);
        return await (await drivers.ForAsync(target, cancellationToken)).ProbeAsync(target, cancellationToken);
    }

    public async Task<(KnownFacility Facility, string Driver, FacilityCatalogueState? State, List<FacilityFlavour> Flavours, List<FacilityImage> Images)> CatalogueAsync(
        Guid facilityId, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(facilityId, cancellationToken);
        var target = new FacilityTarget(facilityId, facility.Code);
        var driver = await drivers.KindOfAsync(target, cancellationToken);
        if (driver == FacilityDrivers.Simulated)
        {
            var offer = FacilityCatalogues.Simulated(facilityId);
            return (facility, driver, new FacilityCatalogueState { FacilityId = facilityId, AnySize = true, RefreshedAt = Now }, [.. offer.Flavours], [.. offer.Images]);
        }
        return (facility, driver,
            await db.CatalogueStates.AsNoTracking().FirstOrDefaultAsync(s => s.FacilityId == facilityId, cancellationToken),
            (await db.FacilityFlavours.AsNoTracking().Where(f => f.FacilityId == facilityId).ToListAsync(cancellationToken))
                .OrderBy(f => f.Shape[ResourceClasses.Vcpu]).ThenBy(f => f.Shape[ResourceClasses.MemoryGib]).ThenBy(f => f.NativeName, StringComparer.Ordinal).ToList(),
            await db.FacilityImages.AsNoTracking().Where(i => i.FacilityId == facilityId).OrderBy(i => i.NativeName).ToListAsync(cancellationToken));
    }

    public async Task RefreshAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(facilityId, cancellationToken);
        await catalogues.RefreshAsync(new FacilityTarget(facilityId, facility.Code), cancellationToken);
    }

    /// <summary>Offers a facility's flavour as a marketplace flavour of the same size (or stops offering it, with no code).</summary>
    public async Task MapFlavourAsync(Guid facilityId, string nativeId, string code, CancellationToken cancellationToken)
    {
        await RequireConnectedAsync(facilityId, cancellationToken);
        var flavour = await db.FacilityFlavours.FirstOrDefaultAsync(f => f.FacilityId == facilityId && f.NativeId == nativeId, cancellationToken)
            ?? throw new InvalidFieldException("native_id", new("la facility ne liste pas ce gabarit.", "the facility does not list this flavour."));
        if (string.IsNullOrWhiteSpace(code))
        {
            flavour.Code = null;
        }
        else
        {
            var marketplace = Catalogue.Flavours.FirstOrDefault(f => f.Code == code.Trim())
                ?? throw new InvalidFieldException("code", new($"gabarit inconnu ({string.Join(", ", Catalogue.Flavours.Select(f => f.Code))}).",
                    $"unknown flavour ({string.Join(", ", Catalogue.Flavours.Select(f => f.Code))})."));
            if (marketplace.PerVm.ServerShape() != flavour.Shape)
            {
                var (ours, theirs) = (marketplace.PerVm.Describe(), flavour.Shape.Describe());
                throw new InvalidFieldException("code", new(
                    $"{marketplace.Code} vaut {ours.Fr} ; {flavour.NativeName} vaut {theirs.Fr}.", $"{marketplace.Code} is {ours.En}; {flavour.NativeName} is {theirs.En}."));
            }
            flavour.Code = marketplace.Code;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task MapImageAsync(Guid facilityId, string nativeId, string code, CancellationToken cancellationToken)
    {
        await RequireConnectedAsync(facilityId, cancellationToken);
        var image = await db.FacilityImages.FirstOrDefaultAsync(i => i.FacilityId == facilityId && i.NativeId == nativeId, cancellationToken)
            ?? throw new InvalidFieldException("native_id", new("la facility ne liste pas cette image.", "the facility does not list this image."));
        image.Code = string.IsNullOrWhiteSpace(code)
            ? null
            : (Catalogue.Images.FirstOrDefault(i => i.Code == code.Trim())
                ?? throw new InvalidFieldException("code", new($"image inconnue ({string.Join(", ", Catalogue.Images.Select(i => i.Code))}).",
                    $"unknown image ({string.Join(", ", Catalogue.Images.Select(i => i.Code))})."))).Code;
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task RequireConnectedAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(facilityId, cancellationToken);
        if (await drivers.KindOfAsync(new FacilityTarget(facilityId, facility.Code), cancellationToken) == FacilityDrivers.Simulated)
        {
            throw new RuleViolationException(new(
                $"{facility.Code} est simulé : son catalogue est celui de la confédération.", $"{facility.Code} is simulated: its catalogue is the confederation's."));
        }
    }

    /// <summary>One page of the findings, newest first.</summary>
    public async Task<(IReadOnlyList<ReconciliationFinding> Findings, string NextPageToken)> FindingsAsync(Guid? facilityId, string? stateCode, bool includeCleared,
        KeysetPage page, CancellationToken cancellationToken)
    {
        var query = db.Findings.AsNoTracking();
        if (facilityId is { } facility)
        {
            query = query.Where(f => f.FacilityId == facility);
        }
        else if (stateCode is not null)
        {
            var facilities = await db.Facilities.AsNoTracking().Where(f => f.StateCode == stateCode).Select(f => f.FacilityId).ToListAsync(cancellationToken);
            query = query.Where(f => facilities.Contains(f.FacilityId));
        }
        if (!includeCleared)
        {
            query = query.Where(f => f.ClearedAt == null);
        }
        if (!page.IsFirst)
        {
            var (foundAt, id) = (page.Time(0), page.Long(1));
            query = query.Where(f => f.FoundAt < foundAt || (f.FoundAt == foundAt && f.Id < id));
        }
        return page.Cut(await query.OrderByDescending(f => f.FoundAt).ThenByDescending(f => f.Id).Take(page.Size + 1).ToListAsync(cancellationToken),
            f => [f.FoundAt, f.Id]);
    }

    public async Task<(KnownFacility Facility, FacilityWatch? Watch, AvailabilityFigure Month, AvailabilityFigure Year, List<FacilityOutage> Outages)> AvailabilityAsync(
        Guid facilityId, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(facilityId, cancellationToken);
        var watch = await db.Watches.AsNoTracking().FirstOrDefaultAsync(w => w.FacilityId == facilityId, cancellationToken);
        var now = Now;
        var yearStart = new DateTime(now.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var monthStart = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var outages = await db.Outages.AsNoTracking().Where(o => o.FacilityId == facilityId && (o.EndedAt == null || o.EndedAt > yearStart))
            .OrderByDescending(o => o.StartedAt).ToListAsync(cancellationToken);
        return (facility, watch,
            Availability.Over(now.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), monthStart, now, watch?.Since, outages),
            Availability.Over(now.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), yearStart, now, watch?.Since, outages),
            outages);
    }
}

/// <summary>Availability as DOMAIN.md counts it: the share of the watched time a facility was up (99.982 % allows about 94.6 minutes a year).</summary>
public static class Availability
{
    /// <summary>Over [<paramref name="from"/>, <paramref name="until"/>), from when the facility is watched; an outage still open counts until now.</summary>
    public static AvailabilityFigure Over(string period, DateTime from, DateTime until, DateTime? watchedSince, IEnumerable<FacilityOutage> outages)
    {
        var start = watchedSince is { } since && since > from ? since : from;
        if (watchedSince is null || until <= start)
        {
            return new AvailabilityFigure(period, 100, 0, 0);
        }
        var observed = until - start;
        var down = outages.Select(o => Overlap(o.StartedAt, o.EndedAt ?? until, start, until)).Aggregate(TimeSpan.Zero, (sum, d) => sum + d);
        var percent = Math.Round(100 * (1 - down / observed), 3);
        return new AvailabilityFigure(period, percent, (long)Math.Ceiling(down.TotalMinutes), (long)observed.TotalMinutes);
    }

    private static TimeSpan Overlap(DateTime from, DateTime until, DateTime windowStart, DateTime windowEnd)
    {
        var start = from > windowStart ? from : windowStart;
        var end = until < windowEnd ? until : windowEnd;
        return end > start ? end - start : TimeSpan.Zero;
    }
}

/// <summary>
/// Connections declared in configuration, <c>Provisioning:Connect:&lt;facility code&gt;:{Driver, AuthUrl, Region, Project,
/// ProjectDomain, CredentialReference, Network}</c>, applied at start to a facility that has none yet, as an operator's
/// ConnectFacility would; with <c>:MapCatalogueByName=true</c> the facility's flavours and images whose names are the
/// marketplace's codes are mapped too. The one-machine run's <c>--openstack</c> uses it; a cluster may keep its
/// connections in its configuration the same way.
/// </summary>
public sealed partial class DeclaredConnections(
    ProvisioningDbContext db, Facilities facilities, FacilityCatalogues catalogues, IConfiguration configuration, ILogger<DeclaredConnections> logger)
{
    /// <summary>Applies what it can; true when every declared connection is in place.</summary>
    public async Task<bool> ApplyAsync(CancellationToken cancellationToken)
    {
        var done = true;
        foreach (var declared in configuration.GetSection("Provisioning:Connect").GetChildren())
        {
            var facility = await db.Facilities.AsNoTracking().FirstOrDefaultAsync(f => f.Code == declared.Key, cancellationToken);
            if (facility is null)
            {
                done = false; // tenancy has not announced it yet
                continue;
            }
            if (!await db.Connections.AnyAsync(c => c.FacilityId == facility.FacilityId, cancellationToken))
            {
                await facilities.ConnectAsync(facility.FacilityId, Guid.Empty, declared["Driver"] ?? FacilityDrivers.OpenStack, declared["AuthUrl"] ?? "",
                    declared["Region"] ?? "RegionOne", declared["Project"] ?? "", declared["ProjectDomain"] ?? "Default", declared["CredentialReference"] ?? "",
                    declared["Network"] ?? "", cancellationToken);
                LogConnected(declared.Key);
            }
            if (declared.GetValue("MapCatalogueByName", false))
            {
                var target = new Drivers.FacilityTarget(facility.FacilityId, facility.Code);
                await catalogues.RefreshAsync(target, cancellationToken);
                foreach (var flavour in await db.FacilityFlavours.Where(f => f.FacilityId == facility.FacilityId && f.Code == null).ToListAsync(cancellationToken))
                {
                    if (Catalogue.Flavours.FirstOrDefault(f => f.Code == flavour.NativeName) is { } same
                        && same.PerVm.ServerShape() == flavour.Shape)
                    {
                        flavour.Code = same.Code;
                    }
                }
                foreach (var image in await db.FacilityImages.Where(i => i.FacilityId == facility.FacilityId && i.Code == null).ToListAsync(cancellationToken))
                {
                    image.Code = Catalogue.Images.FirstOrDefault(i => i.Code == image.NativeName)?.Code;
                }
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        return done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Declared connection of {Facility} applied")]
    private partial void LogConnected(string facility);
}
