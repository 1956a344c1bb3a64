using Aes.Contracts;
using Aes.Messaging;
using Aes.Provisioning.Application;
using V1 = Aes.Contracts.Provisioning.V1;

namespace Aes.Provisioning.Grpc;

/// <summary>The VM lines of a request as the wire gives them (a flavour, the fixed sizes, or amounts by class), read and checked by field.</summary>
public static class VmSpecs
{
    /// <summary>Each line is a catalogue flavour or explicit sizes within what a host carries, a catalogue image and a count.</summary>
    public static List<VmLine> Lines(IReadOnlyList<V1.VmSpec> specs, IReadOnlySet<string> knownClasses)
    {
        if (specs.Count == 0)
        {
            throw new InvalidFieldException("vms", new("au moins une VM est demandée.", "at least one VM is requested."));
        }
        var lines = new List<VmLine>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var field = $"vms[{i}]";
            var size = Size(spec, field, knownClasses);
            var flavourCode = string.IsNullOrWhiteSpace(spec.Flavour) ? null : spec.Flavour.Trim();
            var image = Catalogue.Images.FirstOrDefault(img => img.Code == spec.Image?.Trim())
                ?? throw new InvalidFieldException($"{field}.image", new(
                    $"image inconnue ({string.Join(", ", Catalogue.Images.Select(img => img.Code))}).", $"unknown image ({string.Join(", ", Catalogue.Images.Select(img => img.Code))})."));
            var count = Validate.Range(spec.Count, $"{field}.count", 1, (int)Catalogue.MaxVmsPerLine);
            var accelerators = Accelerators(size);
            lines.Add(new VmLine(flavourCode, size[ResourceClasses.Vcpu], size[ResourceClasses.MemoryGib], size[ResourceClasses.StorageGib], image.Code, count,
                size[ResourceClasses.PublicIpv4] == 1, accelerators.IsZero ? null : accelerators.ToList()));
        }
        if (lines.Sum(l => l.Count) > Catalogue.MaxVmsPerRequest)
        {
            throw new InvalidFieldException("vms", new($"au plus {Catalogue.MaxVmsPerRequest} VM par demande.", $"at most {Catalogue.MaxVmsPerRequest} VMs per request."));
        }
        return lines;
    }

    /// <summary>
    /// One VM's size, every class: its flavour's, or its fixed sizes, or its amounts by class. When two are given they must
    /// agree; a class beyond the standard four comes from the flavour or the list, must be known here, and is whole devices
    /// (1 to <see cref="Catalogue.MaxAcceleratorsPerVm"/>).
    /// </summary>
    private static ResourceVector Size(V1.VmSpec spec, string field, IReadOnlySet<string> knownClasses)
    {
        var listField = $"{field}.resources";
        ResourceVector? listed = null;
        if (spec.Resources.Count > 0)
        {
            listed = ByClassInput.Listed(spec.Resources.Select(r => ((string?)r.ResourceClass, r.Amount)).ToList(), listField, "amount", Catalogue.MaxDiskGib);
            var given = spec.Resources.Select(r => r.ResourceClass).ToList();
            foreach (var (resourceClass, amount) in listed.NonZero())
            {
                var index = ByClassInput.IndexOf(given, resourceClass);
                if (!knownClasses.Contains(resourceClass))
                {
                    throw new InvalidFieldException($"{listField}[{index}].resource_class", new(
                        $"classe inconnue du catalogue : {resourceClass}.", $"no such class in the catalogue: {resourceClass}."));
                }
                var max = resourceClass == ResourceClasses.PublicIpv4 ? 1 : ResourceClasses.IsStandard(resourceClass) ? long.MaxValue : Catalogue.MaxAcceleratorsPerVm;
                if (amount > max)
                {
                    throw new InvalidFieldException($"{listField}[{index}].amount", new($"au plus {max} par VM.", $"at most {max} per VM."));
                }
            }
        }
        var publicIpv4 = spec.PublicIpv4 || listed?[ResourceClasses.PublicIpv4] == 1 ? 1 : 0;
        if (!string.IsNullOrWhiteSpace(spec.Flavour))
        {
            var flavour = Flavour(spec.Flavour, $"{field}.flavour");
            var ofFlavour = ResourceVector.Standard(flavour.Vcpu, flavour.MemoryGib, flavour.DiskGib, publicIpv4).Add(flavour.Accelerators);
            return listed is null || WithoutAddress(listed) == WithoutAddress(ofFlavour)
                ? ofFlavour
                : throw new InvalidFieldException(listField, new(
                    $"ne correspond pas au gabarit {flavour.Code} : donnez l'un ou l'autre, ou les deux identiques.",
                    $"does not match the flavour {flavour.Code}: give one or the other, or both alike."));
        }
        var fixedGiven = spec.Vcpu != 0 || spec.MemoryGib != 0 || spec.DiskGib != 0;
        var (vcpu, memory, disk) = fixedGiven || listed is null
            ? (spec.Vcpu, spec.MemoryGib, spec.DiskGib)
            : (listed[ResourceClasses.Vcpu], listed[ResourceClasses.MemoryGib], listed[ResourceClasses.StorageGib]);
        var standard = ResourceVector.Standard(
            Bounded(vcpu, $"{field}.vcpu", Catalogue.MaxVcpu), Bounded(memory, $"{field}.memory_gib", Catalogue.MaxMemoryGib),
            Bounded(disk, $"{field}.disk_gib", Catalogue.MaxDiskGib), publicIpv4);
        if (listed is null)
        {
            return standard;
        }
        // Beside the fixed sizes the list may bring only the GPUs; a standard class it names must be the fixed field's.
        if (fixedGiven && WithoutAddress(listed).NonZero().FirstOrDefault(a => ResourceClasses.IsStandard(a.Class) && a.Amount != standard[a.Class]) is { Class: not null } odd)
        {
            throw new InvalidFieldException($"{field}.{(odd.Class == ResourceClasses.StorageGib ? "disk_gib" : odd.Class)}", new(
                $"ne correspond pas à {listField} : donnez l'un ou l'autre, ou les deux identiques.",
                $"does not match {listField}: give one or the other, or both alike."));
        }
        return standard.Add(Accelerators(listed));
    }

    /// <summary>A catalogue flavour by its code.</summary>
    public static Flavour Flavour(string code, string field) =>
        Catalogue.Flavours.FirstOrDefault(f => f.Code == code.Trim())
        ?? throw new InvalidFieldException(field, new(
            $"gabarit inconnu ({string.Join(", ", Catalogue.Flavours.Select(f => f.Code))}).", $"unknown flavour ({string.Join(", ", Catalogue.Flavours.Select(f => f.Code))})."));

    public static long Bounded(long value, string field, long max) =>
        value is >= 1 && value <= max
            ? value
            : throw new InvalidFieldException(field, new($"doit être entre 1 et {max}.", $"must be between 1 and {max}."));

    /// <summary>The public address is a yes or no (the flag or the list may say it): sizes are compared without it.</summary>
    private static ResourceVector WithoutAddress(ResourceVector size) => ResourceVector.Of(size.NonZero().Where(a => a.Class != ResourceClasses.PublicIpv4));

    /// <summary>The classes beyond the standard four.</summary>
    public static ResourceVector Accelerators(ResourceVector size) => ResourceVector.Of(size.NonZero().Where(a => !ResourceClasses.IsStandard(a.Class)));

    public static IEnumerable<V1.ResourceAmount> ToMessages(ResourceVector amounts) =>
        amounts.NonZero().InDisplayOrder(a => a.Class).Select(a => new V1.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount });
}
