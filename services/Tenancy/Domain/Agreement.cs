namespace Aes.Tenancy.Domain;

/// <summary>
/// What guests pay: the facility's list price, or fixed prices in whole XOF per unit of each class (per hour or per month,
/// as the class is metered); a class without a fixed price costs nothing.
/// </summary>
public sealed record PriceTerms(bool FacilityListPrice, ResourceVector UnitPricesXof)
{
    public static readonly PriceTerms ListPrice = new(true, ResourceVector.Zero);
}

/// <summary>
/// A host state's offer of a slice of one facility to a guest state.
/// Lifecycle: draft → signed by host → signed by guest → active (from its start) → expired or terminated.
/// </summary>
public sealed class Agreement
{
    public Guid Id { get; init; }
    public required string Reference { get; init; }
    public required string HostStateCode { get; init; }
    public Guid FacilityId { get; init; }
    public required string GuestStateCode { get; init; }
    public required ResourceVector Slice { get; init; }
    public required List<DataClassification> AllowedClassifications { get; init; }
    public required PriceTerms PriceTerms { get; init; }
    public DateTime StartsAt { get; init; }
    public DateTime EndsAt { get; init; }
    public AgreementStatus Status { get; private set; } = AgreementStatus.Draft;
    public Guid DraftedByUserId { get; init; }
    public DateTime DraftedAt { get; init; }
    public Guid? HostSignedBy { get; private set; }
    public DateTime? HostSignedAt { get; private set; }
    public Guid? GuestSignedBy { get; private set; }
    public DateTime? GuestSignedAt { get; private set; }
    public string? TerminationReason { get; private set; }
    public DateTime? EndedAt { get; private set; }
    public int Version { get; private set; }

    public bool IsEnded => Status is AgreementStatus.Expired or AgreementStatus.Terminated;

    /// <summary>Signs for the host state, then for the guest state; returns the state that signed.</summary>
    public string Sign(User signatory, DateTime now)
    {
        switch (Status)
        {
            case AgreementStatus.Draft when signatory.IsOperatorOf(HostStateCode):
                HostSignedBy = signatory.Id;
                HostSignedAt = now;
                Status = AgreementStatus.SignedByHost;
                Version++;
                return HostStateCode;
            case AgreementStatus.Draft when signatory.IsOperatorOf(GuestStateCode):
                throw new RuleViolationException(new(
                    $"L'État hôte ({HostStateCode}) signe en premier.",
                    $"The host state ({HostStateCode}) signs first."));
            case AgreementStatus.SignedByHost when signatory.IsOperatorOf(GuestStateCode):
                GuestSignedBy = signatory.Id;
                GuestSignedAt = now;
                Status = AgreementStatus.SignedByGuest;
                Version++;
                return GuestStateCode;
            case AgreementStatus.Draft or AgreementStatus.SignedByHost:
                throw new ForbiddenException(new(
                    $"Seul un opérateur de l'État {(Status == AgreementStatus.Draft ? HostStateCode : GuestStateCode)} peut signer maintenant.",
                    $"Only an operator of {(Status == AgreementStatus.Draft ? HostStateCode : GuestStateCode)} can sign now."));
            default:
                throw new RuleViolationException(new(
                    $"L'accord {Reference} ne peut plus être signé (statut : {StatusFr(Status)}).",
                    $"Agreement {Reference} can no longer be signed (status: {Status})."));
        }
    }

    /// <summary>
    /// Moves the agreement along the clock: a fully signed agreement activates at its start, and an
    /// active (or never activated) one expires at its end. Returns the status it entered, if any.
    /// </summary>
    public AgreementStatus? Advance(DateTime now)
    {
        if (Status is AgreementStatus.SignedByGuest or AgreementStatus.Active && now >= EndsAt)
        {
            Status = AgreementStatus.Expired;
            EndedAt = now;
            Version++;
            return Status;
        }
        if (Status == AgreementStatus.SignedByGuest && now >= StartsAt)
        {
            Status = AgreementStatus.Active;
            Version++;
            return Status;
        }
        return null;
    }

    public void Terminate(string reason, DateTime now)
    {
        if (IsEnded)
        {
            throw new RuleViolationException(new(
                $"L'accord {Reference} est déjà terminé (statut : {StatusFr(Status)}).",
                $"Agreement {Reference} has already ended (status: {Status})."));
        }
        Status = AgreementStatus.Terminated;
        TerminationReason = reason;
        EndedAt = now;
        Version++;
    }

    public static string StatusFr(AgreementStatus status) => status switch
    {
        AgreementStatus.Draft => "brouillon",
        AgreementStatus.SignedByHost => "signé par l'hôte",
        AgreementStatus.SignedByGuest => "signé par l'invité",
        AgreementStatus.Active => "actif",
        AgreementStatus.Expired => "expiré",
        _ => "résilié",
    };
}
