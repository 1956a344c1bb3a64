using Aes.Contracts.Tenancy;

namespace Aes.Tenancy.Application;

/// <summary>Tenancy's events built from its entities, the same whether they are first published or announced again.</summary>
public static class TenancyEventFactory
{
    public static MemberStateRegistered Registered(MemberState state) =>
        new(state.Code, state.NameFr, state.NameEn, state.TimeZone, state.Currency);

    public static ResourceClassDefined Defined(ResourceClass resourceClass) =>
        new(resourceClass.Code, resourceClass.Unit, resourceClass.NameFr, resourceClass.NameEn, resourceClass.Metering, resourceClass.Consumption,
            resourceClass.DefinedByStateCode, resourceClass.DefinedAt);

    public static FacilityRegistered Registered(Facility facility) =>
        new(facility.Id, facility.Code, facility.StateCode, facility.Name, facility.City, facility.Tier, facility.TargetAvailabilityPercent,
            facility.Status.Code(), facility.TimeZone, facility.InstalledCapacity.ToList());

    public static AgencyRegistered Registered(Agency agency) => new(agency.Id, agency.StateCode, agency.Code, agency.Name, agency.RegisteredAt);

    public static ProjectCreated Created(Project project) => new(project.Id, project.AgencyId, project.Name);

    public static UserCreated Created(User user) => new(user.Id, user.UserName, user.DisplayName, user.Email.Length > 0 ? user.Email : null);

    public static RoleAssigned Assigned(User user, RoleAssignment role) => new(user.Id, role.Role.Code(), role.StateCode, role.AgencyId, user.Version);

    public static AgreementActivated Activated(Agreement agreement) =>
        new(agreement.Id, agreement.Reference, agreement.HostStateCode, agreement.FacilityId, agreement.GuestStateCode, agreement.Slice.ToList(),
            agreement.AllowedClassifications.Select(c => c.Code()).ToList(),
            new AgreementPriceTerms(agreement.PriceTerms.FacilityListPrice, agreement.PriceTerms.UnitPricesXof.ToPrices()), agreement.StartsAt, agreement.EndsAt);
}
