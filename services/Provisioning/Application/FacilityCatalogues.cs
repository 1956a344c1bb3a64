using Aes.Contracts;
using Aes.Provisioning.Drivers;

namespace Aes.Provisioning.Application;

/// <summary>What a facility offers requests now: the flavours and images it lists and an operator mapped, or any size.</summary>
public sealed record FacilityOfferView(bool AnySize, IReadOnlyList<FacilityFlavour> Flavours, IReadOnlyList<FacilityImage> Images)
{
    /// <summary>
    /// The facility's flavour for a VM of <paramref name="size"/> (its server shape and devices): the one mapped to its marketplace
    /// flavour first, else any of that size. A facility flavour's accelerators are those of the marketplace flavour its operators
    /// mapped it to (a GPU flavour's devices are in its extra specs, which only they can read as classes).
    /// </summary>
    public FacilityFlavour? FlavourFor(ResourceVector size, string? code) =>
        Flavours.Where(f => f.Shape == size.ServerShape() && AcceleratorsOf(f) == size.Accelerators())
            .OrderByDescending(f => f.Code == code).ThenBy(f => f.NativeName, StringComparer.Ordinal).FirstOrDefault();

    private static ResourceVector AcceleratorsOf(FacilityFlavour flavour) =>
        Catalogue.Flavours.FirstOrDefault(c => c.Code == flavour.Code)?.Accelerators ?? ResourceVector.Zero;

    public FacilityImage? ImageFor(string code) => Images.FirstOrDefault(i => i.Code == code);

    /// <summary>
    /// Whether every line of a request can be built here: its image offered, and its size one the facility has (or
    /// any size); if not, why, naming the first thing missing.
    /// </summary>
    public (bool Fits, string Fr, string En) Check(string facilityCode, IEnumerable<VmLine> lines)
    {
        foreach (var line in lines)
        {
            if (ImageFor(line.Image) is null)
            {
                return (false, $"{facilityCode} n'offre pas l'image {line.Image}.", $"{facilityCode} does not offer the image {line.Image}.");
            }
            if (!AnySize && FlavourFor(line.SizePerVm, line.Flavour) is null)
            {
                var accelerators = line.SizePerVm.Accelerators();
                var devices = accelerators.IsZero ? "" : $", {accelerators}";
                var (fr, en) = line.SizePerVm.Describe();
                return (false, $"{facilityCode} n'offre pas de gabarit de {fr}{devices}.", $"{facilityCode} offers no flavour of {en}{devices}.");
            }
        }
        return (true, "", "");
    }
}

/// <summary>
/// Each facility's own catalogue (ADR 015): the flavours and images its cloud lists, kept fresh, and mapped by
/// its operators to the marketplace's flavours and images; a request is placed only where its sizes and images
/// exist. The simulated facility's catalogue is the confederal one, and it builds any size.
/// </summary>
public sealed partial class FacilityCatalogues(ProvisioningDbContext db, FacilityDrivers drivers, TimeProvider clock, ILogger<FacilityCatalogues> logger)
{
    public async Task<FacilityOfferView> OfferAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        if (await drivers.KindOfAsync(facility, cancellationToken) == FacilityDrivers.Simulated)
        {
            return Simulated(facility.FacilityId);
        }
        var anySize = await db.CatalogueStates.AsNoTracking().Where(s => s.FacilityId == facility.FacilityId).Select(s => s.AnySize).FirstOrDefaultAsync(cancellationToken);
        return new FacilityOfferView(anySize,
            await db.FacilityFlavours.AsNoTracking().Where(f => f.FacilityId == facility.FacilityId && f.Present && f.Code != null).ToListAsync(cancellationToken),
            await db.FacilityImages.AsNoTracking().Where(i => i.FacilityId == facility.FacilityId && i.Present && i.Code != null).ToListAsync(cancellationToken));
    }

    /// <summary>The simulated facility offers the confederal catalogue as it is, and any size.</summary>
    public static FacilityOfferView Simulated(Guid facilityId) => new(true,
        Catalogue.Flavours.Select(f => new FacilityFlavour
        {
            FacilityId = facilityId, NativeId = f.Code, NativeName = f.Code, Shape = f.PerVm.ServerShape(), Code = f.Code, Present = true,
        }).ToList(),
        Catalogue.Images.Select(i => new FacilityImage { FacilityId = facilityId, NativeId = i.Code, NativeName = i.Name, Code = i.Code, Present = true }).ToList());

    /// <summary>The facility's own ids to build a VM of this size and image with; refused when it no longer offers them.</summary>
    public async Task<(string Flavour, string Image)> NativeIdsAsync(FacilityTarget facility, ResourceVector size, string? flavourCode,
        string imageCode, CancellationToken cancellationToken)
    {
        var offer = await OfferAsync(facility, cancellationToken);
        var image = offer.ImageFor(imageCode)
            ?? throw new FacilityDriverException($"{facility.FacilityCode} no longer offers the image {imageCode}");
        if (offer.FlavourFor(size, flavourCode) is { } flavour)
        {
            return (flavour.NativeId, image.NativeId);
        }
        var devices = string.Concat(size.Accelerators().NonZero().Select(a => $"-{a.Amount}x{a.Class}"));
        return offer.AnySize
            ? ($"custom-{string.Join('-', VmSizes.ServerClasses.Select(c => size[c]))}{devices}", image.NativeId)
            : throw new FacilityDriverException($"{facility.FacilityCode} no longer offers a flavour of {size.Describe().En}{devices}");
    }

    /// <summary>Reads the facility's flavours and images from its cloud into its catalogue; what it no longer lists stops being offered.</summary>
    public async Task RefreshAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var driver = await drivers.ForAsync(facility, cancellationToken);
        var simulated = await drivers.KindOfAsync(facility, cancellationToken) == FacilityDrivers.Simulated;
        var state = await db.CatalogueStates.FirstOrDefaultAsync(s => s.FacilityId == facility.FacilityId, cancellationToken);
        if (state is null)
        {
            state = new FacilityCatalogueState { FacilityId = facility.FacilityId };
            db.CatalogueStates.Add(state);
        }
        FacilityOffer offer;
        try
        {
            offer = await driver.ListOfferAsync(facility, cancellationToken);
        }
        catch (FacilityDriverException exception)
        {
            LogRefreshFailed(facility.FacilityCode, exception.Message);
            (state.RefreshErrorFr, state.RefreshErrorEn) = ($"lecture du catalogue impossible : {exception.Message}", $"could not read the catalogue: {exception.Message}");
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        var flavours = await db.FacilityFlavours.Where(f => f.FacilityId == facility.FacilityId).ToDictionaryAsync(f => f.NativeId, cancellationToken);
        foreach (var native in offer.Flavours)
        {
            if (!flavours.Remove(native.Id, out var row))
            {
                row = new FacilityFlavour { FacilityId = facility.FacilityId, NativeId = native.Id, NativeName = native.Name, Code = simulated ? native.Id : null };
                db.FacilityFlavours.Add(row);
            }
            (row.NativeName, row.Shape, row.Present, row.SeenAt) = (native.Name, native.Shape.ServerShape(), true, now);
        }
        foreach (var gone in flavours.Values)
        {
            gone.Present = false;
        }
        var images = await db.FacilityImages.Where(i => i.FacilityId == facility.FacilityId).ToDictionaryAsync(i => i.NativeId, cancellationToken);
        foreach (var native in offer.Images)
        {
            if (!images.Remove(native.Id, out var row))
            {
                row = new FacilityImage { FacilityId = facility.FacilityId, NativeId = native.Id, NativeName = native.Name, Code = simulated ? native.Id : null };
                db.FacilityImages.Add(row);
            }
            (row.NativeName, row.Present, row.SeenAt) = (native.Name, true, now);
        }
        foreach (var gone in images.Values)
        {
            gone.Present = false;
        }
        (state.AnySize, state.RefreshedAt, state.RefreshErrorFr, state.RefreshErrorEn) = (offer.AnySize, now, null, null);
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The catalogue of {Facility} could not be read: {Reason}")]
    private partial void LogRefreshFailed(string facility, string reason);
}
