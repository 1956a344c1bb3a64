namespace Aes.Contracts.Tenancy;

// Integration events published by the tenancy service through its outbox.
// Classifications travel as their lower-case codes: strategic, sensitive, internal, public.
// Amounts and prices travel as lists by class (ADR 045); the fixed amounts of the four standard classes that stood
// beside them are gone, and a message an earlier version left in an outbox still reads (its old members ignored).

public sealed record MemberStateRegistered(string StateCode, string NameFr, string NameEn, string TimeZone, string Currency);

/// <summary><paramref name="InstalledResources"/>: every class installed (GPUs included).</summary>
public sealed record FacilityRegistered(
    Guid FacilityId, string Code, string StateCode, string Name, string City, int Tier,
    decimal TargetAvailabilityPercent, string Status, string TimeZone, IReadOnlyList<ResourceAmount> InstalledResources);

/// <summary><paramref name="Version"/>: the facility's version after the change; a copy applies a status only if it is newer.</summary>
public sealed record FacilityOpened(Guid FacilityId, string Code, string StateCode, DateTime OpenedAt, long Version = 0);

public sealed record FacilityClosed(Guid FacilityId, string Code, string StateCode, DateTime ClosedAt, long Version = 0);

/// <summary>The facility's operators declared what it has installed now, every class (GPUs included).</summary>
public sealed record FacilityCapacityChanged(
    Guid FacilityId, string Code, string StateCode, IReadOnlyList<ResourceAmount> InstalledResources, DateTime ChangedAt, long Version);

public sealed record AgencyRegistered(Guid AgencyId, string StateCode, string Code, string Name, DateTime RegisteredAt);

public sealed record ProjectCreated(Guid ProjectId, Guid AgencyId, string Name);

/// <summary>
/// A user joined (<paramref name="IsMember"/>) or left a project. <paramref name="Revision"/> grows with each change of
/// one (project, user) pair, so a consumer keeps the latest even when a join and a leave arrive out of order.
/// </summary>
public sealed record ProjectMembershipChanged(Guid ProjectId, Guid AgencyId, Guid UserId, bool IsMember, long Revision, DateTime ChangedAt);

/// <summary>A user; <paramref name="Email"/> null when they have none, and in outbox rows written by the version before.</summary>
public sealed record UserCreated(Guid UserId, string UserName, string DisplayName, string? Email = null);

/// <summary>
/// <paramref name="Revision"/>: the user's version after the change (it grows with each of the user's role changes); a copy
/// applies an assignment or a revocation of one role only if it is newer than the last it applied for that role.
/// </summary>
public sealed record RoleAssigned(Guid UserId, string Role, string? StateCode, Guid? AgencyId, long Revision = 0);

public sealed record RoleRevoked(Guid UserId, string Role, string? StateCode, Guid? AgencyId, long Revision = 0);

/// <summary><paramref name="UnitPrices"/>: the fixed prices by class; empty at the facility's list price.</summary>
public sealed record AgreementPriceTerms(bool FacilityListPrice, IReadOnlyList<ResourcePrice> UnitPrices);

public sealed record AgreementDrafted(
    Guid AgreementId, string Reference, string HostStateCode, Guid FacilityId, string GuestStateCode,
    DateTime StartsAt, DateTime EndsAt);

public sealed record AgreementSigned(Guid AgreementId, string SignatoryStateCode, Guid SignedByUserId, DateTime SignedAt);

/// <summary><paramref name="SliceResources"/>: every class of the slice, GPUs included.</summary>
public sealed record AgreementActivated(
    Guid AgreementId, string Reference, string HostStateCode, Guid FacilityId, string GuestStateCode,
    IReadOnlyList<ResourceAmount> SliceResources, IReadOnlyList<string> AllowedClassifications, AgreementPriceTerms PriceTerms,
    DateTime StartsAt, DateTime EndsAt);

/// <summary>An agreement stopped being in force; <paramref name="Reason"/> is "expired" or "terminated".</summary>
public sealed record AgreementEnded(Guid AgreementId, string HostStateCode, Guid FacilityId, string GuestStateCode, string Reason, DateTime EndedAt);

/// <summary>
/// A subject of a state's own identity provider (<paramref name="Issuer"/>, <paramref name="Subject"/>) linked to an AES user of
/// that state (<paramref name="UserId"/>, <paramref name="StateCode"/>), or unlinked (both null). <paramref name="Revision"/>
/// grows with each change of one (issuer, subject), so a consumer keeps the latest even out of order.
/// </summary>
public sealed record ExternalIdentityLinkChanged(string Issuer, string Subject, Guid? UserId, string? StateCode, long Revision, DateTime ChangedAt);

/// <summary>
/// An operator of <paramref name="DefinedByStateCode"/> added a class to the catalogue (the standard four are
/// <see cref="ResourceClasses.Standard"/>, known to every service without an event). A class never changes once
/// defined, so a copy keeps the first it sees.
/// </summary>
public sealed record ResourceClassDefined(
    string Code, string Unit, string NameFr, string NameEn, ResourceMetering Metering, ResourceConsumption Consumption,
    string? DefinedByStateCode, DateTime DefinedAt);
