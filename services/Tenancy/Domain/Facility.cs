namespace Aes.Tenancy.Domain;

/// <summary>A national datacenter. Only open facilities receive workloads.</summary>
public sealed class Facility
{
    public Guid Id { get; init; }
    public required string Code { get; init; }
    public required string StateCode { get; init; }
    public required string Name { get; set; }
    public required string City { get; set; }
    public int Tier { get; set; }
    public decimal TargetAvailabilityPercent { get; set; }
    public required string TimeZone { get; set; }
    /// <summary>Every class installed, GPUs included; agreements' slices on the facility add up to at most this.</summary>
    public required ResourceVector InstalledCapacity { get; set; }
    public FacilityStatus Status { get; private set; } = FacilityStatus.Planned;
    public DateTime? OpenedAt { get; private set; }
    public DateTime? ClosedAt { get; private set; }
    public int Version { get; private set; }

    public void Open(DateTime now)
    {
        if (Status != FacilityStatus.Planned)
        {
            throw new RuleViolationException(new(
                $"Seul un centre prévu peut ouvrir ; {Code} est {StatusFr(Status)}.",
                $"Only a planned facility can open; {Code} is {Status.Code()}."));
        }
        Status = FacilityStatus.Open;
        OpenedAt = now;
        Version++;
    }

    public void Close(DateTime now)
    {
        if (Status == FacilityStatus.Closed)
        {
            throw new RuleViolationException(new($"{Code} est déjà fermé.", $"{Code} is already closed."));
        }
        Status = FacilityStatus.Closed;
        ClosedAt = now;
        Version++;
    }

    /// <summary>
    /// The facility installed more (or retired some): the version moves too, so that a draft checked against the old
    /// capacity and this change cannot both pass.
    /// </summary>
    public void ChangeInstalledCapacity(ResourceVector capacity)
    {
        if (Status == FacilityStatus.Closed)
        {
            throw new RuleViolationException(new($"{Code} est fermé : sa capacité ne change plus.", $"{Code} is closed: its capacity no longer changes."));
        }
        InstalledCapacity = capacity;
        Version++;
    }

    /// <summary>Agreements' slices on this facility changed: concurrent checks of their sum must not both pass.</summary>
    public void RecordSliceChange() => Version++;

    internal static string StatusFr(FacilityStatus status) => status switch
    {
        FacilityStatus.Planned => "prévu",
        FacilityStatus.Open => "ouvert",
        _ => "fermé",
    };
}
