using Aes.Contracts.ByClass;
using Aes.Contracts.Quota.V1;

namespace Aes.Portal.Web;

/// <summary>The words people read for the services' codes, in the current language.</summary>
public static class Labels
{
    public static string RequestStatus(string code) => code switch
    {
        "submitted" => Language.T("soumise", "submitted"),
        "waiting_for_capacity" => Language.T("en attente de capacité", "waiting for capacity"),
        "awaiting_approval" => Language.T("en attente d'approbation", "awaiting approval"),
        "approved" => Language.T("approuvée", "approved"),
        "provisioning" => Language.T("en cours de provisionnement", "provisioning"),
        "active" => Language.T("active", "active"),
        "decommissioning" => Language.T("en cours de décommissionnement", "decommissioning"),
        "decommissioned" => Language.T("décommissionnée", "decommissioned"),
        "rejected" => Language.T("rejetée", "rejected"),
        "expired" => Language.T("expirée", "expired"),
        "failed" => Language.T("échouée", "failed"),
        "withdrawn" => Language.T("retirée", "withdrawn"),
        _ => code,
    };

    /// <summary>A campaign workload's step, in French and English (the page and the printed report each pick one).</summary>
    public static (string Fr, string En) CampaignStep(string code) => code switch
    {
        "planned" => ("au plan", "planned"),
        "hosting_requested" => ("demandée", "requested"),
        "hosting_active" => ("hébergement actif", "hosting active"),
        "data_transferred" => ("données transférées", "data transferred"),
        "cut_over" => ("basculée", "cut over"),
        "foreign_copy_deleted" => ("copie étrangère supprimée", "foreign copy deleted"),
        _ => (code, code),
    };

    public static string VmStatus(string code) => code switch
    {
        "pending" or "held" => Language.T("en préparation", "being prepared"),
        "creating" => Language.T("en création", "being created"),
        "active" => Language.T("active", "active"),
        "resizing" => Language.T("redimensionnement", "resizing"),
        "stopping" => Language.T("en cours d'extinction", "stopping"),
        "stopped" => Language.T("éteinte", "stopped"),
        "starting" => Language.T("en cours de démarrage", "starting"),
        "rebooting" => Language.T("en cours de redémarrage", "rebooting"),
        "decommissioning" => Language.T("en cours d'arrêt", "decommissioning"),
        "decommissioned" => Language.T("décommissionnée", "decommissioned"),
        "removed" => Language.T("supprimée", "removed"),
        "lost" => Language.T("perdue (disparue du centre)", "lost (gone from the facility)"),
        _ => code,
    };

    /// <summary>The resource classes, in the order the pages show them.</summary>
    public static readonly string[] Classifications = ["strategic", "sensitive", "internal", "public"];

    public static string Classification(string code) => code switch
    {
        "strategic" => Language.T("stratégique", "strategic"),
        "sensitive" => Language.T("sensible", "sensitive"),
        "internal" => Language.T("interne", "internal"),
        "public" => Language.T("public", "public"),
        _ => code,
    };

    /// <summary>What each classification means and where it may go (DOMAIN.md's residency rules).</summary>
    public static string ClassificationHelp(string code) => code switch
    {
        "strategic" => Language.T(
            "Secrets d'État, défense, état civil, finances publiques : uniquement dans un centre de votre propre État, jamais au-delà d'une frontière.",
            "State secrets, defence, civil registry, public finance: only in a facility of your own state, never across a border."),
        "sensitive" => Language.T(
            "Données personnelles protégées par la loi nationale : votre État, ou un autre État de l'AES sous un accord qui autorise explicitement les données sensibles.",
            "Personal data under national law: your own state, or another AES state under an agreement that explicitly allows sensitive data."),
        "internal" => Language.T(
            "Données internes de l'administration : votre État, ou tout centre de l'AES sous un accord actif.",
            "The administration's internal data: your own state, or any AES facility under an active agreement."),
        "public" => Language.T(
            "Données publiques : comme les données internes.",
            "Public data: as internal data."),
        _ => "",
    };

    public static string ApprovalDecision(string code) => code switch
    {
        "pending" => Language.T("en attente", "pending"),
        "approved" => Language.T("approuvée", "approved"),
        "rejected" => Language.T("rejetée", "rejected"),
        _ => code,
    };

    public static string ApprovalRole(string code) => code switch
    {
        "home" => Language.T("opérateur de l'État de l'organisme", "operator of the agency's state"),
        "host" => Language.T("opérateur de l'État hôte", "operator of the host state"),
        _ => code,
    };

    /// <summary>The standard classes, in the order pages show them (tenancy lists the catalogue in that order, the others after).</summary>
    public static readonly string[] StandardClasses = ["vcpu", "memory_gib", "storage_gib", "public_ipv4"];

    /// <summary>A class by its code: the standard four as the pages always named them, another in the catalogue's words.</summary>
    public static string Resource(string code, IReadOnlyDictionary<string, Aes.Contracts.Tenancy.V1.ResourceClass>? catalogue = null) => code switch
    {
        "vcpu" => "vCPU",
        "memory_gib" => Language.T("Mémoire (Gio)", "Memory (GiB)"),
        "storage_gib" => Language.T("Stockage (Gio)", "Storage (GiB)"),
        "public_ipv4" => Language.T("IPv4 publiques", "Public IPv4"),
        _ => catalogue?.GetValueOrDefault(code) is { } added ? Language.T(added.NameFr, added.NameEn) : code,
    };

    /// <summary>A VM's devices beyond the standard four, in the reader's words: ", 1 × GPU A100 80 Go" (empty without any).</summary>
    public static string Devices(IEnumerable<(string Class, long Amount)> amounts, IReadOnlyDictionary<string, Aes.Contracts.Tenancy.V1.ResourceClass> classes) =>
        string.Concat(amounts.Where(a => !StandardClasses.Contains(a.Class) && a.Amount > 0).Select(a => $", {N(a.Amount)} × {Resource(a.Class, classes)}"));

    public static string Devices(IEnumerable<IClassAmount> amounts, IReadOnlyDictionary<string, Aes.Contracts.Tenancy.V1.ResourceClass> classes) =>
        Devices(amounts.Select(a => (a.ResourceClass, a.Amount)), classes);

    /// <summary>One VM's size from its list by class: "12 vCPU, 96 Gio, 400 Gio, IPv4, 1 × GPU A100 80 Go".</summary>
    public static string VmSize(IReadOnlyCollection<IClassAmount> size, IReadOnlyDictionary<string, Aes.Contracts.Tenancy.V1.ResourceClass> classes) =>
        $"{N(size.AmountOf("vcpu"))} vCPU, {N(size.AmountOf("memory_gib"))} {Language.T("Gio", "GiB")}, {N(size.AmountOf("storage_gib"))} {Language.T("Gio", "GiB")}"
        + (size.AmountOf("public_ipv4") > 0 ? ", IPv4" : "") + Devices(size, classes);

    /// <summary>Prices by class in the reader's words: "vCPU 20 XOF/vcpu·heure · GPU A100 80 Go 1 200 XOF/gpu·heure".</summary>
    public static string Prices(IEnumerable<(string Class, long PriceXof)> prices, IReadOnlyDictionary<string, Aes.Contracts.Tenancy.V1.ResourceClass> classes) =>
        string.Join(" · ", prices.Select(p => $"{Resource(p.Class, classes)} {N(p.PriceXof)} XOF/{PriceUnit(p.Class, classes)}"));

    /// <summary>The catalogue's unit price of one class, 0 when it does not price it.</summary>
    public static long UnitPrice(Aes.Contracts.Billing.V1.PriceCatalogue catalogue, string code) =>
        catalogue.UnitPrices.Where(p => p.ResourceClass == code).Sum(p => p.UnitPriceXof);

    /// <summary>A catalogue's prices beyond the standard four, in the reader's words: "GPU A100 80 Go 1 500 XOF/gpu·heure", "… XOF/gpu-hour".</summary>
    public static string OtherClassPrices(Aes.Contracts.Billing.V1.PriceCatalogue catalogue, IReadOnlyDictionary<string, Aes.Contracts.Tenancy.V1.ResourceClass> classes) =>
        Prices(catalogue.UnitPrices.Where(p => !StandardClasses.Contains(p.ResourceClass)).Select(p => (p.ResourceClass, p.UnitPriceXof)), classes);

    /// <summary>What a class's price is per: <c>gpu·heure</c> in French, the billing unit (<c>gpu-hour</c>) in English.</summary>
    public static string PriceUnit(string code, IReadOnlyDictionary<string, Aes.Contracts.Tenancy.V1.ResourceClass> classes) =>
        classes.GetValueOrDefault(code) is not { } known ? code
        : Language.T($"{known.Unit}·{(known.Metering == Aes.Contracts.Tenancy.V1.ResourceMetering.Monthly ? "mois" : "heure")}", known.BillingUnit);

    public static string InvoiceStatus(string code) => code switch
    {
        "draft" => Language.T("brouillon", "draft"),
        "issued" => Language.T("émise", "issued"),
        "paid" => Language.T("payée", "paid"),
        "cancelled" => Language.T("annulée", "cancelled"),
        _ => code,
    };

    public static string QuotaChangeStatus(Aes.Contracts.Quota.V1.QuotaChangeStatus status) => status switch
    {
        Aes.Contracts.Quota.V1.QuotaChangeStatus.Pending => Language.T("en attente", "pending"),
        Aes.Contracts.Quota.V1.QuotaChangeStatus.Approved => Language.T("approuvée", "approved"),
        Aes.Contracts.Quota.V1.QuotaChangeStatus.Rejected => Language.T("rejetée", "rejected"),
        _ => status.ToString(),
    };

    /// <summary>A number as the language writes it (1 234 in French).</summary>
    public static string N(long value) => value.ToString("N0", System.Globalization.CultureInfo.CurrentCulture);

    /// <summary>A moment in the reader's culture, in UTC (the three states' offsets differ by an hour at most).</summary>
    /// <summary>A request's short reference, as its messages name it: the end of its id, the part that is random in a v7 UUID.</summary>
    public static string Reference(Guid requestId) => requestId.ToString("N")[^8..].ToUpperInvariant();

    public static string When(Google.Protobuf.WellKnownTypes.Timestamp? at) =>
        at is null ? "" : at.ToDateTime().ToString("g", System.Globalization.CultureInfo.CurrentCulture) + " UTC";
}
