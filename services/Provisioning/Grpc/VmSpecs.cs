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
    /// One VM's size, every class: its flavour's, else each of vCPU, memory and disk from its fixed field or, when that is 0,
    /// from the list by class. A class the list names must agree with the flavour or the fixed field; a class beyond the
    /// standard four comes from the flavour or the list, must be known here, and is whole devices (at most
    /// <see cref="Catalogue.MaxAcceleratorsPerVm"/> on one VM). The public address is a yes or no: the flag, or 1 in the list.
    /// </summary>
    private static ResourceVector Size(V1.VmSpec spec, string field, IReadOnlySet<string> knownClasses)
    {
        var listField = $"{field}.resources";
        var listed = spec.Resources.Count == 0 ? ResourceVector.Zero
            : ByClassInput.Listed(spec.Resources.Select(r => ((string?)r.ResourceClass, r.Amount)).ToList(), listField, "amount", Catalogue.MaxDiskGib);
        var given = spec.Resources.Select(r => r.ResourceClass).ToList();
        string AmountField(string resourceClass) => $"{listField}[{ByClassInput.IndexOf(given, resourceClass)}].amount";
        foreach (var resourceClass in listed.Classes.Where(c => !knownClasses.Contains(c)))
        {
            throw new InvalidFieldException($"{listField}[{ByClassInput.IndexOf(given, resourceClass)}].resource_class", new(
                $"classe inconnue du catalogue : {resourceClass}.", $"no such class in the catalogue: {resourceClass}."));
        }
        if (listed[ResourceClasses.PublicIpv4] > 1)
        {
            throw new InvalidFieldException(AmountField(ResourceClasses.PublicIpv4), new("0 ou 1 par VM.", "0 or 1 per VM."));
        }
        var publicIpv4 = spec.PublicIpv4 || listed[ResourceClasses.PublicIpv4] == 1 ? 1 : 0;

        ResourceVector size;
        if (!string.IsNullOrWhiteSpace(spec.Flavour))
        {
            var flavour = Flavour(spec.Flavour, $"{field}.flavour");
            size = flavour.Size(publicIpv4 == 1);
            if (listed.NonZero().FirstOrDefault(a => a.Class != ResourceClasses.PublicIpv4 && size[a.Class] != a.Amount) is { Class: not null } odd)
            {
                throw new InvalidFieldException(AmountField(odd.Class), new(
                    $"le gabarit {flavour.Code} en a {size[odd.Class]} : donnez l'un ou l'autre, ou les deux identiques.",
                    $"the flavour {flavour.Code} has {size[odd.Class]}: give one or the other, or both alike."));
            }
            return size;
        }
        long Standard(long fixedValue, string resourceClass, string fixedField, long max)
        {
            if (fixedValue != 0 && listed[resourceClass] != 0 && listed[resourceClass] != fixedValue)
            {
                throw new InvalidFieldException($"{field}.{fixedField}", new(
                    $"ne correspond pas à {listField} : donnez l'un ou l'autre, ou les deux identiques.",
                    $"does not match {listField}: give one or the other, or both alike."));
            }
            return fixedValue == 0 && listed[resourceClass] != 0
                ? Bounded(listed[resourceClass], AmountField(resourceClass), max)
                : Bounded(fixedValue, $"{field}.{fixedField}", max);
        }
        size = ResourceVector.Standard(
            Standard(spec.Vcpu, ResourceClasses.Vcpu, "vcpu", Catalogue.MaxVcpu),
            Standard(spec.MemoryGib, ResourceClasses.MemoryGib, "memory_gib", Catalogue.MaxMemoryGib),
            Standard(spec.DiskGib, ResourceClasses.StorageGib, "disk_gib", Catalogue.MaxDiskGib), publicIpv4);
        var devices = Accelerators(listed);
        if (devices.NonZero().Sum(d => d.Amount) > Catalogue.MaxAcceleratorsPerVm)
        {
            throw new InvalidFieldException(AmountField(devices.Classes.MaxBy(c => ByClassInput.IndexOf(given, c))!), new(
                $"au plus {Catalogue.MaxAcceleratorsPerVm} accélérateurs par VM.", $"at most {Catalogue.MaxAcceleratorsPerVm} accelerators per VM."));
        }
        return size.Add(devices);
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

    /// <summary>The classes beyond the standard four.</summary>
    public static ResourceVector Accelerators(ResourceVector size) => ResourceVector.Of(size.NonZero().Where(a => !ResourceClasses.IsStandard(a.Class)));

    public static IEnumerable<V1.ResourceAmount> ToMessages(ResourceVector amounts) =>
        amounts.NonZero().InDisplayOrder(a => a.Class).Select(a => new V1.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount });
}
