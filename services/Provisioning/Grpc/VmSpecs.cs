using Aes.Contracts;
using Aes.Messaging;
using Aes.Provisioning.Application;
using V1 = Aes.Contracts.Provisioning.V1;

namespace Aes.Provisioning.Grpc;

/// <summary>The VM lines of a request as the wire gives them (a flavour, or amounts by class), read and checked by field.</summary>
public static class VmSpecs
{
    /// <summary>Each line is a catalogue flavour or a size by class within what a host carries, a catalogue image and a count.</summary>
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
            var size = Size(spec.Flavour, spec.Resources, field, knownClasses).Size;
            var flavourCode = string.IsNullOrWhiteSpace(spec.Flavour) ? null : spec.Flavour.Trim();
            var image = Catalogue.Images.FirstOrDefault(img => img.Code == spec.Image?.Trim())
                ?? throw new InvalidFieldException($"{field}.image", new(
                    $"image inconnue ({string.Join(", ", Catalogue.Images.Select(img => img.Code))}).", $"unknown image ({string.Join(", ", Catalogue.Images.Select(img => img.Code))})."));
            var count = Validate.Range(spec.Count, $"{field}.count", 1, (int)Catalogue.MaxVmsPerLine);
            lines.Add(VmLine.Of(flavourCode, size, image.Code, count));
        }
        if (lines.Sum(l => l.Count) > Catalogue.MaxVmsPerRequest)
        {
            throw new InvalidFieldException("vms", new($"au plus {Catalogue.MaxVmsPerRequest} VM par demande.", $"at most {Catalogue.MaxVmsPerRequest} VMs per request."));
        }
        return lines;
    }

    /// <summary>
    /// One VM's size, every class: its flavour's (the list may add a public address, or repeat the flavour's classes alike),
    /// else the list's, which names vCPU, memory and storage (its disk) within what a host carries, a public address 0 or
    /// 1, and GPUs of classes known here in whole devices (at most <see cref="Catalogue.MaxAcceleratorsPerVm"/> on one VM).
    /// Fields are named under <paramref name="field"/> ("vms[0].resources[2].amount"; empty for the request's own).
    /// </summary>
    public static SizeGiven Size(string? flavourCode, IReadOnlyList<V1.ResourceAmount> resources, string field, IReadOnlySet<string> knownClasses)
    {
        string Path(string name) => field.Length == 0 ? name : $"{field}.{name}";
        var listField = Path("resources");
        var listed = resources.Count == 0 ? ResourceVector.Zero
            : ByClassInput.Listed(resources.Select(r => ((string?)r.ResourceClass, r.Amount)).ToList(), listField, "amount", Catalogue.LargestAmount);
        var given = resources.Select(r => r.ResourceClass).ToList();
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
        var named = given.Select(code => code.Trim().ToLowerInvariant()).ToHashSet();

        if (!string.IsNullOrWhiteSpace(flavourCode))
        {
            var flavour = Flavour(flavourCode, Path("flavour"));
            var size = flavour.Size(listed[ResourceClasses.PublicIpv4] == 1);
            if (named.FirstOrDefault(c => c != ResourceClasses.PublicIpv4 && size[c] != listed[c]) is { } odd)
            {
                throw new InvalidFieldException(AmountField(odd), new(
                    $"le gabarit {flavour.Code} en a {size[odd]} : donnez l'un ou l'autre, ou les deux identiques.",
                    $"the flavour {flavour.Code} has {size[odd]}: give one or the other, or both alike."));
            }
            return new SizeGiven(size, named.Union(size.Classes).ToHashSet(), _ => Path("flavour"), ByFlavour: true);
        }
        foreach (var resourceClass in VmSizes.ServerClasses)
        {
            if (!named.Contains(resourceClass))
            {
                throw new InvalidFieldException(listField, new(
                    $"{resourceClass} est requis (ou un gabarit).", $"{resourceClass} is required (or a flavour)."));
            }
            Bounded(listed[resourceClass], AmountField(resourceClass), Catalogue.LargestServer[resourceClass]);
        }
        var devices = listed.Accelerators();
        if (devices.NonZero().Sum(d => d.Amount) > Catalogue.MaxAcceleratorsPerVm)
        {
            throw new InvalidFieldException(AmountField(devices.Classes.MaxBy(c => ByClassInput.IndexOf(given, c))!), new(
                $"au plus {Catalogue.MaxAcceleratorsPerVm} accélérateurs par VM.", $"at most {Catalogue.MaxAcceleratorsPerVm} accelerators per VM."));
        }
        return new SizeGiven(listed, named, c => named.Contains(c) ? AmountField(c) : listField, ByFlavour: false);
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

    public static IEnumerable<V1.ResourceAmount> ToMessages(ResourceVector amounts) =>
        amounts.NonZero().InDisplayOrder(a => a.Class).Select(a => new V1.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount });
}
