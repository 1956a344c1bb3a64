namespace Aes.Provisioning.Domain;

/// <summary>An agreement in force as residency needs it: which guest state it serves and which classifications it allows.</summary>
public sealed record AgreementTerms(Guid AgreementId, Guid FacilityId, string GuestStateCode, IReadOnlyCollection<Classification> Allowed);

/// <summary>A facility's verdict: kept (with the agreement to use across a border) or excluded, and why, in French and English.</summary>
public sealed record ResidencyVerdict(bool Allowed, Guid? AgreementId, string ReasonFr, string ReasonEn);

/// <summary>
/// The sovereignty rules of DOMAIN.md. Strategic data stays in the agency's own state, even under an
/// agreement; sensitive data may cross only under an agreement that explicitly allows it; internal and
/// public data may go to any AES facility under an agreement that allows them. Only facilities the
/// confederation knows are ever considered, so nothing is placed outside it.
/// </summary>
public static class Residency
{
    public static ResidencyVerdict Evaluate(Classification classification, string agencyStateCode, KnownFacility facility,
        IEnumerable<AgreementTerms> agreementsInForce)
    {
        if (facility.Status != "open")
        {
            return new(false, null, $"le centre {facility.Code} n'est pas ouvert ({StatusFr(facility.Status)}).", $"facility {facility.Code} is not open ({facility.Status}).");
        }
        if (facility.StateCode == agencyStateCode)
        {
            return new(true, null, "centre de l'État de l'organisme.", "facility in the agency's own state.");
        }
        if (classification == Classification.Strategic)
        {
            return new(false, null, "les données stratégiques ne quittent jamais l'État de l'organisme.", "strategic data never leaves the agency's own state.");
        }
        var covering = agreementsInForce.Where(a => a.FacilityId == facility.FacilityId && a.GuestStateCode == agencyStateCode).ToList();
        if (covering.Count == 0)
        {
            return new(false, null, $"aucun accord actif n'ouvre {facility.Code} à {agencyStateCode}.", $"no active agreement opens {facility.Code} to {agencyStateCode}.");
        }
        var allowing = covering.FirstOrDefault(a => a.Allowed.Contains(classification));
        return allowing is null
            ? new(false, null, $"l'accord sur {facility.Code} n'autorise pas les données {ClassificationFr(classification)}.",
                $"the agreement on {facility.Code} does not allow {classification.Code()} data.")
            : new(true, allowing.AgreementId, $"accord actif {allowing.AgreementId} pour {facility.Code}.", $"active agreement {allowing.AgreementId} for {facility.Code}.");
    }

    /// <summary>
    /// Why no facility may take a request at all, said as its requester needs it: when the agency's state has no
    /// open facility of its own, that is the reason, with the facilities it plans (whose opening would unblock it);
    /// for data that may cross a border, also that no agreement in force opens a neighbour's facility to it.
    /// </summary>
    public static (string Fr, string En) NoFacilityAllowed(Classification classification, string agencyStateCode, IReadOnlyCollection<KnownFacility> facilities)
    {
        var own = facilities.Where(f => f.StateCode == agencyStateCode).ToList();
        if (own.Any(f => f.Status == "open"))
        {
            return ($"aucun centre autorisé pour des données {ClassificationFr(classification)} de {agencyStateCode}.",
                $"no facility is allowed for {classification.Code()} data of {agencyStateCode}.");
        }
        var planned = own.Where(f => f.Status == "planned").Select(f => f.Code).Order().ToList();
        var (noneFr, noneEn) = planned.Count > 0
            ? ($"{agencyStateCode} n'a pas encore de centre national ouvert ({string.Join(", ", planned)} : prévu)",
               $"{agencyStateCode} has no open national facility yet ({string.Join(", ", planned)}: planned)")
            : ($"{agencyStateCode} n'a pas encore de centre national ouvert, ni de centre prévu",
               $"{agencyStateCode} has no open national facility yet, and none planned");
        var opening = planned.Count > 0 ? (Fr: $"l'ouverture de {string.Join(" ou ", planned)}", En: $"the opening of {string.Join(" or ", planned)}") : (Fr: "l'ouverture d'un centre national", En: "a national facility opening");
        return classification == Classification.Strategic
            ? ($"{noneFr} ; les données stratégiques ne quittent jamais leur État : la demande attend {opening.Fr}.",
               $"{noneEn}; strategic data never leaves its state: the request waits for {opening.En}.")
            : ($"{noneFr}, et aucun accord actif n'ouvre le centre d'un autre État à ses données {ClassificationFr(classification)} : la demande attend {opening.Fr} ou un tel accord.",
               $"{noneEn}, and no active agreement opens another state's facility to its {classification.Code()} data: the request waits for {opening.En} or such an agreement.");
    }

    private static string StatusFr(string status) => status switch
    {
        "planned" => "prévu",
        "closed" => "fermé",
        _ => status,
    };

    public static string ClassificationFr(Classification classification) => classification switch
    {
        Classification.Strategic => "stratégiques",
        Classification.Sensitive => "sensibles",
        Classification.Internal => "internes",
        _ => "publiques",
    };
}
