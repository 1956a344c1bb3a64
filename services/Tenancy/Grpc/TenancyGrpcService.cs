using Microsoft.AspNetCore.Authorization;
using Aes.ServiceDefaults.Identity;
using Aes.Tenancy.Application;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Aes.Contracts.Tenancy.V1;
using Aes.ServiceDefaults.Paging;

namespace Aes.Tenancy.Grpc;

public sealed class TenancyGrpcService(TenancyDbContext db, TenancyOperations operations, ProjectMemberships memberships, Identity.AutomationClients automationClients,
    ExternalIdentities externalIdentities) : V1.TenancyService.TenancyServiceBase
{
    [AllowAnonymous]
    public override async Task<V1.ListMemberStatesResponse> ListMemberStates(V1.ListMemberStatesRequest request, ServerCallContext context)
    {
        var query = db.MemberStates.AsNoTracking();
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 1);
        if (!page.IsFirst)
        {
            var after = page.Text(0);
            query = query.Where(s => string.Compare(s.Code, after) > 0);
        }
        var (states, next) = page.Cut(await query.OrderBy(s => s.Code).Take(page.Size + 1).ToListAsync(context.CancellationToken), s => [s.Code]);
        return new V1.ListMemberStatesResponse { States = { states.Select(ToMessage) }, NextPageToken = next };
    }

    [AllowAnonymous]
    public override async Task<V1.MemberState> GetMemberState(V1.GetMemberStateRequest request, ServerCallContext context)
    {
        var code = Validate.StateCode(request.Code, "code");
        var state = await db.MemberStates.AsNoTracking().FirstOrDefaultAsync(s => s.Code == code, context.CancellationToken)
            ?? throw new NotFoundException("MemberState", code);
        return ToMessage(state);
    }

    public override async Task<V1.ListResourceClassesResponse> ListResourceClasses(V1.ListResourceClassesRequest request, ServerCallContext context)
    {
        var query = db.ResourceClasses.AsNoTracking();
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        if (!page.IsFirst)
        {
            var (rank, code) = (page.Long(0), page.Text(1));
            query = query.Where(c => c.Rank > rank || (c.Rank == rank && string.Compare(c.Code, code) > 0));
        }
        var (classes, next) = page.Cut(
            await query.OrderBy(c => c.Rank).ThenBy(c => c.Code).Take(page.Size + 1).ToListAsync(context.CancellationToken), c => [c.Rank, c.Code]);
        return new V1.ListResourceClassesResponse { Classes = { classes.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.ResourceClass> DefineResourceClass(V1.DefineResourceClassRequest request, ServerCallContext context) =>
        ToMessage(await operations.DefineResourceClassAsync(request, context.CancellationToken));

    public override async Task<V1.Facility> RegisterFacility(V1.RegisterFacilityRequest request, ServerCallContext context) =>
        ToMessage(await operations.RegisterFacilityAsync(request, context.CancellationToken));

    [AllowAnonymous]
    public override async Task<V1.Facility> GetFacility(V1.GetFacilityRequest request, ServerCallContext context)
    {
        var id = Validate.Id(request.Id, "id");
        return ToMessage(await db.Facilities.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, context.CancellationToken)
            ?? throw new NotFoundException("Facility", request.Id));
    }

    [AllowAnonymous]
    public override async Task<V1.ListFacilitiesResponse> ListFacilities(V1.ListFacilitiesRequest request, ServerCallContext context)
    {
        var query = db.Facilities.AsNoTracking();
        if (StateFilter(request.StateCode) is { } state)
        {
            query = query.Where(f => f.StateCode == state);
        }
        if (request.Status != V1.FacilityStatus.Unspecified)
        {
            var status = request.Status switch
            {
                V1.FacilityStatus.Planned => FacilityStatus.Planned,
                V1.FacilityStatus.Open => FacilityStatus.Open,
                V1.FacilityStatus.Closed => FacilityStatus.Closed,
                _ => throw new InvalidFieldException("status", new("statut inconnu.", "unknown status.")),
            };
            query = query.Where(f => f.Status == status);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 1);
        if (!page.IsFirst)
        {
            var after = page.Text(0);
            query = query.Where(f => string.Compare(f.Code, after) > 0);
        }
        var (facilities, next) = page.Cut(await query.OrderBy(f => f.Code).Take(page.Size + 1).ToListAsync(context.CancellationToken), f => [f.Code]);
        return new V1.ListFacilitiesResponse { Facilities = { facilities.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.Facility> SetFacilityCapacity(V1.SetFacilityCapacityRequest request, ServerCallContext context) =>
        ToMessage(await operations.SetFacilityCapacityAsync(request, context.CancellationToken));

    public override async Task<V1.Facility> OpenFacility(V1.ChangeFacilityStatusRequest request, ServerCallContext context) =>
        ToMessage(await operations.OpenFacilityAsync(request.Id, context.CancellationToken));

    public override async Task<V1.Facility> CloseFacility(V1.ChangeFacilityStatusRequest request, ServerCallContext context) =>
        ToMessage(await operations.CloseFacilityAsync(request.Id, context.CancellationToken));

    public override async Task<V1.Agency> RegisterAgency(V1.RegisterAgencyRequest request, ServerCallContext context) =>
        ToMessage(await operations.RegisterAgencyAsync(request, context.CancellationToken));

    public override async Task<V1.Agency> GetAgency(V1.GetAgencyRequest request, ServerCallContext context)
    {
        var id = Validate.Id(request.Id, "id");
        return ToMessage(await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, context.CancellationToken)
            ?? throw new NotFoundException("Agency", request.Id));
    }

    public override async Task<V1.ListAgenciesResponse> ListAgencies(V1.ListAgenciesRequest request, ServerCallContext context)
    {
        var query = db.Agencies.AsNoTracking();
        if (StateFilter(request.StateCode) is { } state)
        {
            query = query.Where(a => a.StateCode == state);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        if (!page.IsFirst)
        {
            var (afterState, afterCode) = (page.Text(0), page.Text(1));
            query = query.Where(a => string.Compare(a.StateCode, afterState) > 0 || (a.StateCode == afterState && string.Compare(a.Code, afterCode) > 0));
        }
        var (agencies, next) = page.Cut(await query.OrderBy(a => a.StateCode).ThenBy(a => a.Code).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            a => [a.StateCode, a.Code]);
        return new V1.ListAgenciesResponse { Agencies = { agencies.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.Project> CreateProject(V1.CreateProjectRequest request, ServerCallContext context) =>
        ToMessage(await operations.CreateProjectAsync(request, context.CancellationToken));

    public override async Task<V1.ListProjectsResponse> ListProjects(V1.ListProjectsRequest request, ServerCallContext context)
    {
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 1);
        var agency = await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agencyId, context.CancellationToken)
            ?? throw new NotFoundException("Agency", request.AgencyId);
        var projects = db.Projects.AsNoTracking().Where(p => p.AgencyId == agencyId);
        var caller = context.GetHttpContext().User;
        if (!ProjectVisibility.SeesWholeAgency(caller, agency.StateCode, agency.Id))
        {
            var userId = ProjectVisibility.UserOf(caller);
            projects = projects.Where(p => db.ProjectMemberships.Any(m => m.ProjectId == p.Id && m.UserId == userId && m.IsMember));
        }
        if (!page.IsFirst)
        {
            var after = page.Text(0); // a project's name is unique in its agency
            projects = projects.Where(p => string.Compare(p.Name, after) > 0);
        }
        var (list, next) = page.Cut(await projects.OrderBy(p => p.Name).Take(page.Size + 1).ToListAsync(context.CancellationToken), p => [p.Name]);
        return new V1.ListProjectsResponse { Projects = { list.Select(ToMessage) }, NextPageToken = next };
    }

    public override Task<V1.ProjectMembers> AddProjectMember(V1.AddProjectMemberRequest request, ServerCallContext context) =>
        memberships.AddAsync(request, context.CancellationToken);

    public override Task<V1.ProjectMembers> RemoveProjectMember(V1.RemoveProjectMemberRequest request, ServerCallContext context) =>
        memberships.RemoveAsync(request, context.CancellationToken);

    public override Task<V1.ProjectMembers> ListProjectMembers(V1.ListProjectMembersRequest request, ServerCallContext context) =>
        memberships.ListAsync(request, context.CancellationToken);

    public override async Task<V1.User> CreateUser(V1.CreateUserRequest request, ServerCallContext context) =>
        ToMessage(await operations.CreateUserAsync(request, context.CancellationToken));

    public override Task<V1.ExternalIdentityLink> LinkExternalIdentity(V1.LinkExternalIdentityRequest request, ServerCallContext context) =>
        externalIdentities.LinkAsync(request, context.CancellationToken);

    public override Task<V1.ExternalIdentityLink> UnlinkExternalIdentity(V1.UnlinkExternalIdentityRequest request, ServerCallContext context) =>
        externalIdentities.UnlinkAsync(request, context.CancellationToken);

    public override Task<V1.ListExternalIdentityLinksResponse> ListExternalIdentityLinks(V1.ListExternalIdentityLinksRequest request, ServerCallContext context) =>
        externalIdentities.ListAsync(request, context.CancellationToken);

    public override Task<V1.AutomationClient> CreateAutomationClient(V1.CreateAutomationClientRequest request, ServerCallContext context) =>
        automationClients.CreateAsync(request, context.CancellationToken);

    public override async Task<V1.User> GetUser(V1.GetUserRequest request, ServerCallContext context)
    {
        return await UserAsync(Validate.Id(request.Id, "id"), context.CancellationToken);
    }

    /// <summary>The token's subject, which validation already turned into the linked user for a state provider's account.</summary>
    public override async Task<V1.User> GetSignedInUser(V1.GetSignedInUserRequest request, ServerCallContext context)
    {
        var id = ProjectVisibility.UserOf(context.GetHttpContext().User)
            ?? throw new NotFoundException("User", context.GetHttpContext().User.FindFirst(AesClaims.Subject)?.Value ?? "");
        return await UserAsync(id, context.CancellationToken);
    }

    private async Task<V1.User> UserAsync(Guid id, CancellationToken cancellationToken) =>
        ToMessage(await db.Users.AsNoTracking().Include(u => u.Roles).FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
            ?? throw new NotFoundException("User", id.ToString()));

    public override async Task<V1.ListUsersResponse> ListUsers(V1.ListUsersRequest request, ServerCallContext context)
    {
        var users = db.Users.AsNoTracking().Include(u => u.Roles).AsQueryable();
        if (StateFilter(request.StateCode) is { } state)
        {
            users = users.Where(u => u.Roles.Any(r => r.StateCode == state));
        }
        if (Validate.OptionalId(request.AgencyId, "agency_id") is { } agencyId)
        {
            users = users.Where(u => u.Roles.Any(r => r.AgencyId == agencyId));
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 1);
        if (!page.IsFirst)
        {
            var after = page.Text(0);
            users = users.Where(u => string.Compare(u.UserName, after) > 0);
        }
        var (list, next) = page.Cut(await users.OrderBy(u => u.UserName).Take(page.Size + 1).ToListAsync(context.CancellationToken), u => [u.UserName]);
        return new V1.ListUsersResponse { Users = { list.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.User> AssignRole(V1.AssignRoleRequest request, ServerCallContext context) =>
        ToMessage(await operations.AssignRoleAsync(request, context.CancellationToken));

    public override async Task<V1.User> RevokeRole(V1.RevokeRoleRequest request, ServerCallContext context) =>
        ToMessage(await operations.RevokeRoleAsync(request, context.CancellationToken));

    public override async Task<V1.Agreement> DraftAgreement(V1.DraftAgreementRequest request, ServerCallContext context) =>
        ToMessage(await operations.DraftAgreementAsync(request, context.CancellationToken));

    public override async Task<V1.Agreement> GetAgreement(V1.GetAgreementRequest request, ServerCallContext context)
    {
        var id = Validate.Id(request.Id, "id");
        return ToMessage(await db.Agreements.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, context.CancellationToken)
            ?? throw new NotFoundException("Agreement", request.Id));
    }

    public override async Task<V1.ListAgreementsResponse> ListAgreements(V1.ListAgreementsRequest request, ServerCallContext context)
    {
        var query = db.Agreements.AsNoTracking();
        if (StateFilter(request.StateCode) is { } state)
        {
            query = query.Where(a => a.HostStateCode == state || a.GuestStateCode == state);
        }
        if (request.Status != V1.AgreementStatus.Unspecified)
        {
            if (!System.Enum.IsDefined(request.Status))
            {
                throw new InvalidFieldException("status", new("statut inconnu.", "unknown status."));
            }
            var status = (AgreementStatus)(int)request.Status;
            query = query.Where(a => a.Status == status);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        if (!page.IsFirst)
        {
            var (startsAt, reference) = (page.Time(0), page.Text(1));
            query = query.Where(a => a.StartsAt > startsAt || (a.StartsAt == startsAt && string.Compare(a.Reference, reference) > 0));
        }
        var (agreements, next) = page.Cut(await query.OrderBy(a => a.StartsAt).ThenBy(a => a.Reference).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            a => [a.StartsAt, a.Reference]);
        return new V1.ListAgreementsResponse { Agreements = { agreements.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.Agreement> SignAgreement(V1.SignAgreementRequest request, ServerCallContext context) =>
        ToMessage(await operations.SignAgreementAsync(request, context.CancellationToken));

    public override async Task<V1.Agreement> TerminateAgreement(V1.TerminateAgreementRequest request, ServerCallContext context) =>
        ToMessage(await operations.TerminateAgreementAsync(request, context.CancellationToken));

    private static string? StateFilter(string? code) => Validate.OptionalStateCode(code, "state_code");

    private static V1.MemberState ToMessage(MemberState state) => new()
    {
        Code = state.Code, NameFr = state.NameFr, NameEn = state.NameEn, TimeZone = state.TimeZone, Currency = state.Currency,
    };

    private static V1.ResourceClass ToMessage(ResourceClass resourceClass) => new()
    {
        Code = resourceClass.Code,
        Unit = resourceClass.Unit,
        NameFr = resourceClass.NameFr,
        NameEn = resourceClass.NameEn,
        Metering = resourceClass.Metering switch
        {
            Aes.Contracts.ResourceMetering.Hourly => V1.ResourceMetering.Hourly,
            Aes.Contracts.ResourceMetering.Monthly => V1.ResourceMetering.Monthly,
            _ => throw new InvalidOperationException($"unknown metering {resourceClass.Metering}"),
        },
        Consumption = resourceClass.Consumption switch
        {
            Aes.Contracts.ResourceConsumption.Count => V1.ResourceConsumption.Count,
            Aes.Contracts.ResourceConsumption.Amount => V1.ResourceConsumption.Amount,
            _ => throw new InvalidOperationException($"unknown consumption {resourceClass.Consumption}"),
        },
        Standard = resourceClass.IsStandard,
        DefinedByStateCode = resourceClass.DefinedByStateCode ?? "",
        DefinedAt = Timestamp.FromDateTime(resourceClass.DefinedAt),
        BillingUnit = Aes.Contracts.ResourceClasses.BillingUnit(resourceClass.Unit, resourceClass.Metering),
    };

    private static V1.Facility ToMessage(Facility facility) => new()
    {
        Id = facility.Id.ToString(),
        Code = facility.Code,
        StateCode = facility.StateCode,
        Name = facility.Name,
        City = facility.City,
        Tier = facility.Tier,
        TargetAvailabilityPercent = facility.TargetAvailabilityPercent.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
        Status = (V1.FacilityStatus)(int)facility.Status,
        TimeZone = facility.TimeZone,
        InstalledCapacityByClass = { ByClass(facility.InstalledCapacity) },
        OpenedAt = Stamp(facility.OpenedAt),
        ClosedAt = Stamp(facility.ClosedAt),
        Version = facility.Version,
    };

    private static IEnumerable<V1.ResourceAmount> ByClass(ResourceVector amounts) =>
        amounts.NonZero().InDisplayOrder(a => a.Class).Select(a => new V1.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount });

    private static V1.Agency ToMessage(Agency agency) => new()
    {
        Id = agency.Id.ToString(), StateCode = agency.StateCode, Code = agency.Code, Name = agency.Name, RegisteredAt = Stamp(agency.RegisteredAt),
    };

    private static V1.Project ToMessage(Project project) => new()
    {
        Id = project.Id.ToString(), AgencyId = project.AgencyId.ToString(), Name = project.Name, Description = project.Description,
    };

    private static V1.User ToMessage(User user) => new()
    {
        Id = user.Id.ToString(),
        UserName = user.UserName,
        DisplayName = user.DisplayName,
        Email = user.Email,
        Roles =
        {
            user.Roles.Select(r => new V1.RoleAssignment
            {
                Role = (V1.Role)(int)r.Role, StateCode = r.StateCode ?? "", AgencyId = r.AgencyId?.ToString() ?? "",
            }),
        },
    };

    private static V1.Agreement ToMessage(Agreement agreement) => new()
    {
        Id = agreement.Id.ToString(),
        Reference = agreement.Reference,
        HostStateCode = agreement.HostStateCode,
        FacilityId = agreement.FacilityId.ToString(),
        GuestStateCode = agreement.GuestStateCode,
        SliceByClass = { ByClass(agreement.Slice) },
        AllowedClassifications = { agreement.AllowedClassifications.Select(c => (V1.DataClassification)(int)c) },
        PriceTerms = new V1.PriceTerms
        {
            FacilityListPrice = agreement.PriceTerms.FacilityListPrice,
            UnitPrices =
            {
                agreement.PriceTerms.UnitPricesXof.NonZero().InDisplayOrder(p => p.Class)
                    .Select(p => new V1.ResourcePrice { ResourceClass = p.Class, UnitPriceXof = p.Amount }),
            },
        },
        StartsAt = Stamp(agreement.StartsAt),
        EndsAt = Stamp(agreement.EndsAt),
        Status = (V1.AgreementStatus)(int)agreement.Status,
        DraftedByUserId = agreement.DraftedByUserId.ToString(),
        HostSignature = Signature(agreement.HostStateCode, agreement.HostSignedBy, agreement.HostSignedAt),
        GuestSignature = Signature(agreement.GuestStateCode, agreement.GuestSignedBy, agreement.GuestSignedAt),
        TerminationReason = agreement.TerminationReason ?? "",
        EndedAt = Stamp(agreement.EndedAt),
    };

    private static V1.Signature? Signature(string state, Guid? user, DateTime? at) =>
        user is null ? null : new V1.Signature { StateCode = state, UserId = user.Value.ToString(), SignedAt = Stamp(at) };

    private static Timestamp? Stamp(DateTime? value) => value is null ? null : Timestamp.FromDateTime(value.Value);
}
