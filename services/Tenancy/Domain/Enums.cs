namespace Aes.Tenancy.Domain;

public enum FacilityStatus { Planned = 1, Open = 2, Closed = 3 }

public enum Role { Requester = 1, AgencyAdministrator = 2, StateOperator = 3, ConfederalAdministrator = 4, Auditor = 5 }

/// <summary>The sovereignty classes of DOMAIN.md; strategic data never leaves its state.</summary>
public enum DataClassification { Strategic = 1, Sensitive = 2, Internal = 3, Public = 4 }

public enum AgreementStatus { Draft = 1, SignedByHost = 2, SignedByGuest = 3, Active = 4, Expired = 5, Terminated = 6 }

public static class EnumCodes
{
    /// <summary>The lower-case code integration events carry, e.g. "internal".</summary>
    public static string Code(this DataClassification classification) => classification.ToString().ToLowerInvariant();

    public static string Code(this FacilityStatus status) => status.ToString().ToLowerInvariant();

    public static string Code(this Role role) => role switch
    {
        Role.Requester => "requester",
        Role.AgencyAdministrator => "agency-administrator",
        Role.StateOperator => "state-operator",
        Role.ConfederalAdministrator => "confederal-administrator",
        Role.Auditor => "auditor",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };
}
