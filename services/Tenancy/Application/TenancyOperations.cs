using System.Globalization;
using System.Text.RegularExpressions;
using Aes.Contracts;
using Aes.Contracts.Tenancy;
using Aes.Messaging.Persistence;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Application;

/// <summary>
/// Every change tenancy makes, with its validation and its integration events, saved in one
/// transaction with the outbox. The gRPC API and the demo seed both come through here.
/// </summary>
public sealed partial class TenancyOperations(TenancyDbContext db, TimeProvider clock)
{
    private const int MaxYearsAhead = 50;

    [GeneratedRegex("^[A-Z]{2}-[A-Z0-9]{2,10}-[0-9]{1,3}$")]
    private static partial Regex FacilityCodePattern();

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{1,19}$")]
    private static partial Regex AgencyCodePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,63}$")]
    private static partial Regex UserNamePattern();

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<MemberState> RegisterMemberStateAsync(MemberState state, CancellationToken cancellationToken)
    {
        var code = Validate.StateCode(state.Code, "code");
        var registered = new MemberState
        {
            Code = code,
            NameFr = Validate.Name(state.NameFr, "name_fr", 100),
            NameEn = Validate.Name(state.NameEn, "name_en", 100),
            TimeZone = Validate.TimeZone(state.TimeZone, "time_zone"),
        };
        if (await db.MemberStates.AnyAsync(s => s.Code == code, cancellationToken))
        {
            throw new RuleViolationException(new($"L'État {code} existe déjà.", $"State {code} already exists."));
        }
        db.MemberStates.Add(registered);
        db.AddToOutbox(TenancyEventFactory.Registered(registered), Now);
        await db.SaveOrExplainAsync("MemberState", cancellationToken);
        return registered;
    }

    /// <summary>
    /// Adds a class to the confederation's catalogue. The same terms again answer the class as it is (a retry, or two
    /// operators adding the same accelerator at once); other terms for a code already taken are refused.
    /// </summary>
    public async Task<ResourceClass> DefineResourceClassAsync(V1.DefineResourceClassRequest request, CancellationToken cancellationToken)
    {
        var state = await KnownStateAsync(request.StateCode, "state_code", cancellationToken);
        var terms = new ResourceClassDefinition(
            Validate.Code(request.Code, "code", ResourceClasses.CodePattern(), "gpu_a100_80g", upperCase: false),
            Validate.Code(request.Unit, "unit", ResourceClasses.UnitPattern(), "gpu", upperCase: false),
            Validate.Name(request.NameFr, "name_fr", 100),
            Validate.Name(request.NameEn, "name_en", 100),
            request.Metering switch
            {
                V1.ResourceMetering.Hourly => ResourceMetering.Hourly,
                V1.ResourceMetering.Monthly => ResourceMetering.Monthly,
                _ => throw new InvalidFieldException("metering", new("doit être hourly (à l'heure) ou monthly (au mois).", "must be hourly or monthly.")),
            },
            request.Consumption switch
            {
                V1.ResourceConsumption.Count => ResourceConsumption.Count,
                V1.ResourceConsumption.Amount => ResourceConsumption.Amount,
                _ => throw new InvalidFieldException("consumption", new("doit être count (à l'unité) ou amount (en quantité).", "must be count or amount.")),
            });
        if (await ExistingClassAsync(terms, cancellationToken) is { } existing)
        {
            return existing;
        }
        // To the microsecond, as PostgreSQL keeps it: the answer to a call that added it equals the answer to one that found it.
        var now = Now;
        var defined = new ResourceClass
        {
            Code = terms.Code, Unit = terms.Unit, NameFr = terms.NameFr, NameEn = terms.NameEn, Metering = terms.Metering,
            Consumption = terms.Consumption, Rank = ResourceClass.AddedRank, DefinedByStateCode = state.Code, DefinedAt = now.AddTicks(-(now.Ticks % 10)),
        };
        db.ResourceClasses.Add(defined);
        db.AddToOutbox(TenancyEventFactory.Defined(defined), Now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception, "resource_classes"))
        {
            db.ChangeTracker.Clear();
            return await ExistingClassAsync(terms, cancellationToken) ?? throw new ConcurrentChangeException("ResourceClass");
        }
        return defined;
    }

    private async Task<ResourceClass?> ExistingClassAsync(ResourceClassDefinition terms, CancellationToken cancellationToken)
    {
        var existing = await db.ResourceClasses.AsNoTracking().FirstOrDefaultAsync(c => c.Code == terms.Code, cancellationToken);
        if (existing is null || existing.HasTerms(terms))
        {
            return existing;
        }
        var held = existing.Terms;
        throw new RuleViolationException(new(
            $"La classe {terms.Code} existe déjà ({held.NameFr}, {held.Unit}, {held.Metering.Code()}, {held.Consumption.Code()}) : une classe ne change pas une fois définie ; choisissez un autre code.",
            $"Class {terms.Code} already exists ({held.NameEn}, {held.Unit}, {held.Metering.Code()}, {held.Consumption.Code()}): a class never changes once defined; choose another code."));
    }

    public async Task<Facility> RegisterFacilityAsync(V1.RegisterFacilityRequest request, CancellationToken cancellationToken)
    {
        var state = await KnownStateAsync(request.StateCode, "state_code", cancellationToken);
        var code = Validate.Code(request.Code, "code", FacilityCodePattern(), "ML-BKO-1");
        if (!code.StartsWith(state.Code + "-", StringComparison.Ordinal))
        {
            throw new InvalidFieldException("code", new(
                $"doit commencer par le code de l'État ({state.Code}-).", $"must start with the state code ({state.Code}-)."));
        }
        var capacity = await ClassAmounts.AmountsOfAsync(db, request.InstalledCapacityByClass, "installed_capacity_by_class", cancellationToken);
        RequireComputeCapacity(capacity, "installed_capacity_by_class");
        var facility = new Facility
        {
            Id = Guid.CreateVersion7(),
            Code = code,
            StateCode = state.Code,
            Name = Validate.Name(request.Name, "name"),
            City = Validate.Name(request.City, "city"),
            Tier = Validate.Range(request.Tier, "tier", 1, 4),
            TargetAvailabilityPercent = Availability(request.TargetAvailabilityPercent),
            TimeZone = string.IsNullOrWhiteSpace(request.TimeZone) ? state.TimeZone : Validate.TimeZone(request.TimeZone, "time_zone"),
            InstalledCapacity = capacity,
        };
        if (await db.Facilities.AnyAsync(f => f.Code == code, cancellationToken))
        {
            throw new RuleViolationException(new($"Le centre {code} existe déjà.", $"Facility {code} already exists."));
        }
        db.Facilities.Add(facility);
        db.AddToOutbox(TenancyEventFactory.Registered(facility), Now);
        await db.SaveOrExplainAsync("Facility", cancellationToken);
        return facility;
    }

    public async Task<Facility> OpenFacilityAsync(string id, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(id, "id", cancellationToken);
        facility.Open(Now);
        db.AddToOutbox(new FacilityOpened(facility.Id, facility.Code, facility.StateCode, facility.OpenedAt!.Value, facility.Version), Now);
        await SaveAsync("Facility", cancellationToken);
        return facility;
    }

    /// <summary>
    /// The whole installed capacity, class by class: vCPU and memory at least, and never below what the agreements in force
    /// or to come hold on the facility (their slices stay honoured; end one first).
    /// </summary>
    public async Task<Facility> SetFacilityCapacityAsync(V1.SetFacilityCapacityRequest request, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(request.Id, "id", cancellationToken);
        if (request.ExpectedVersion < 0)
        {
            throw new InvalidFieldException("expected_version", new("ne peut pas être négative.", "cannot be negative."));
        }
        var capacity = await ClassAmounts.AmountsOfAsync(db, request.InstalledCapacityByClass, "installed_capacity_by_class", cancellationToken);
        RequireComputeCapacity(capacity, "installed_capacity_by_class");
        // Two operators editing different classes of one form must not undo each other's change.
        if (request.ExpectedVersion != 0 && request.ExpectedVersion != facility.Version)
        {
            throw new RuleViolationException(new(
                $"{facility.Code} a changé depuis votre lecture (version {facility.Version}, lue {request.ExpectedVersion}) : relisez sa capacité.",
                $"{facility.Code} changed since you read it (version {facility.Version}, read {request.ExpectedVersion}): read its capacity again."));
        }
        var committed = await CommittedSlicesAsync(facility, cancellationToken);
        foreach (var (resourceClass, held, installed) in committed.Exceeding(capacity))
        {
            throw new RuleViolationException(new(
                $"{resourceClass} : les accords de {facility.Code} en tiennent {held}, plus que la capacité déclarée ({installed}) ; mettez fin à un accord d'abord.",
                $"{resourceClass}: the agreements on {facility.Code} hold {held}, more than the declared capacity ({installed}); end an agreement first."));
        }
        facility.ChangeInstalledCapacity(capacity);
        db.AddToOutbox(new FacilityCapacityChanged(facility.Id, facility.Code, facility.StateCode, capacity.ToList(), Now, facility.Version), Now);
        await SaveAsync("Facility", cancellationToken);
        return facility;
    }

    public async Task<Facility> CloseFacilityAsync(string id, CancellationToken cancellationToken)
    {
        var facility = await FacilityAsync(id, "id", cancellationToken);
        facility.Close(Now);
        db.AddToOutbox(new FacilityClosed(facility.Id, facility.Code, facility.StateCode, facility.ClosedAt!.Value, facility.Version), Now);
        await SaveAsync("Facility", cancellationToken);
        return facility;
    }

    public async Task<Agency> RegisterAgencyAsync(V1.RegisterAgencyRequest request, CancellationToken cancellationToken)
    {
        var state = await KnownStateAsync(request.StateCode, "state_code", cancellationToken);
        var agency = new Agency
        {
            Id = Guid.CreateVersion7(),
            StateCode = state.Code,
            Code = Validate.Code(request.Code, "code", AgencyCodePattern(), "MEF"),
            Name = Validate.Name(request.Name, "name"),
            RegisteredAt = Now,
        };
        if (await db.Agencies.AnyAsync(a => a.StateCode == agency.StateCode && a.Code == agency.Code, cancellationToken))
        {
            throw new RuleViolationException(new(
                $"L'organisme {agency.Code} existe déjà pour {state.Code}.", $"Agency {agency.Code} already exists in {state.Code}."));
        }
        db.Agencies.Add(agency);
        db.AddToOutbox(TenancyEventFactory.Registered(agency), Now);
        await db.SaveOrExplainAsync("Agency", cancellationToken);
        return agency;
    }

    public async Task<Project> CreateProjectAsync(V1.CreateProjectRequest request, CancellationToken cancellationToken)
    {
        var agency = await AgencyAsync(request.AgencyId, "agency_id", cancellationToken);
        var project = new Project
        {
            Id = Guid.CreateVersion7(),
            AgencyId = agency.Id,
            Name = Validate.Name(request.Name, "name"),
            Description = Validate.Optional(request.Description, "description", 2000),
        };
        if (await db.Projects.AnyAsync(p => p.AgencyId == agency.Id && p.Name == project.Name, cancellationToken))
        {
            throw new RuleViolationException(new(
                $"Le projet « {project.Name} » existe déjà.", $"Project \"{project.Name}\" already exists."));
        }
        db.Projects.Add(project);
        db.AddToOutbox(TenancyEventFactory.Created(project), Now);
        await db.SaveOrExplainAsync("Project", cancellationToken);
        return project;
    }

    public async Task<User> CreateUserAsync(V1.CreateUserRequest request, CancellationToken cancellationToken)
    {
        var userName = Validate.Code(request.UserName, "user_name", UserNamePattern(), "op.ml", upperCase: false);
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            UserName = userName,
            DisplayName = Validate.Name(request.DisplayName, "display_name"),
            Email = Email(request.Email),
        };
        for (var index = 0; index < request.Roles.Count; index++)
        {
            var assignment = await RoleAssignmentAsync(request.Roles[index], $"roles[{index}]", cancellationToken);
            if (!user.Roles.Contains(assignment))
            {
                user.Roles.Add(assignment);
            }
        }
        if (await db.Users.AnyAsync(u => u.UserName == userName, cancellationToken))
        {
            throw new RuleViolationException(new($"L'utilisateur {userName} existe déjà.", $"User {userName} already exists."));
        }
        db.Users.Add(user);
        db.AddToOutbox(TenancyEventFactory.Created(user), Now);
        foreach (var role in user.Roles)
        {
            db.AddToOutbox(TenancyEventFactory.Assigned(user, role), Now);
        }
        await db.SaveOrExplainAsync("User", cancellationToken);
        return user;
    }

    public async Task<User> AssignRoleAsync(V1.AssignRoleRequest request, CancellationToken cancellationToken)
    {
        var user = await UserAsync(request.UserId, "user_id", cancellationToken);
        var assignment = await RoleAssignmentAsync(request.Assignment, "assignment", cancellationToken);
        if (!user.Roles.Contains(assignment))
        {
            user.Roles.Add(assignment);
            user.Version++;
            db.AddToOutbox(TenancyEventFactory.Assigned(user, assignment), Now);
            await db.SaveOrExplainAsync("User", cancellationToken);
        }
        return user;
    }

    public async Task<User> RevokeRoleAsync(V1.RevokeRoleRequest request, CancellationToken cancellationToken)
    {
        var user = await UserAsync(request.UserId, "user_id", cancellationToken);
        var assignment = await RoleAssignmentAsync(request.Assignment, "assignment", cancellationToken);
        var existing = user.Roles.FirstOrDefault(r => r == assignment)
            ?? throw new RuleViolationException(new("Cet utilisateur n'a pas ce rôle.", "This user does not hold that role."));
        user.Roles.Remove(existing);
        user.Version++;
        db.AddToOutbox(new RoleRevoked(user.Id, assignment.Role.Code(), assignment.StateCode, assignment.AgencyId, user.Version), Now);
        if (assignment.AgencyId is { } agencyId)
        {
            await new ProjectMemberships(db, clock).LeaveAgencyProjectsIfNoRoleAsync(user, agencyId, changedBy: null, cancellationToken);
        }
        await db.SaveOrExplainAsync("User", cancellationToken);
        return user;
    }

    public async Task<Agreement> DraftAgreementAsync(V1.DraftAgreementRequest request, CancellationToken cancellationToken)
    {
        var actor = await UserAsync(request.ActorUserId, "actor_user_id", cancellationToken);
        var facility = await FacilityAsync(request.FacilityId, "facility_id", cancellationToken);
        var guest = await KnownStateAsync(request.GuestStateCode, "guest_state_code", cancellationToken);
        if (guest.Code == facility.StateCode)
        {
            throw new InvalidFieldException("guest_state_code", new(
                "l'État invité doit différer de l'État hôte.", "the guest state must differ from the host state."));
        }
        if (!actor.IsConfederalAdministrator && !actor.IsOperatorOf(facility.StateCode))
        {
            throw new ForbiddenException(new(
                $"Seul l'administrateur confédéral ou un opérateur de {facility.StateCode} peut rédiger cet accord.",
                $"Only the confederal administrator or an operator of {facility.StateCode} can draft this agreement."));
        }

        var slice = await ClassAmounts.AmountsOfAsync(db, request.SliceByClass, "slice_by_class", cancellationToken);
        // The field a refusal names: the class's place in the list, or the list when the class is missing from it.
        string SliceField(string resourceClass) =>
            ByClassInput.IndexOf(request.SliceByClass.Select(a => a.ResourceClass), resourceClass) is var index and >= 0
                ? $"slice_by_class[{index}].amount" : "slice_by_class";
        // A slice hosts VMs: each needs vCPU, memory and a disk; public addresses and accelerators may be left out.
        foreach (var resourceClass in new[] { ResourceClasses.Vcpu, ResourceClasses.MemoryGib, ResourceClasses.StorageGib })
        {
            if (slice[resourceClass] <= 0)
            {
                throw new InvalidFieldException(SliceField(resourceClass), new(
                    $"{resourceClass} doit être positif : une tranche sans cette ressource n'accueille aucune VM.",
                    $"{resourceClass} must be positive: a slice without this resource hosts no VM."));
            }
        }
        foreach (var (field, value, limit) in slice.Exceeding(facility.InstalledCapacity))
        {
            throw new InvalidFieldException(SliceField(field), new(
                $"{value} dépasse la capacité installée de {facility.Code} ({limit}).",
                $"{value} exceeds the installed capacity of {facility.Code} ({limit})."));
        }
        var classifications = Classifications(request.AllowedClassifications);
        var prices = await PricesAsync(request.PriceTerms, cancellationToken);
        var (startsAt, endsAt) = Period(request.StartsAt, request.EndsAt);

        if (facility.Status == FacilityStatus.Closed)
        {
            throw new RuleViolationException(new($"Le centre {facility.Code} est fermé.", $"Facility {facility.Code} is closed."));
        }
        if (facility.Status == FacilityStatus.Planned)
        {
            throw new RuleViolationException(new(
                $"Le centre {facility.Code} est prévu, pas encore ouvert : un accord s'y rédige une fois ouvert.",
                $"Facility {facility.Code} is planned, not open yet: an agreement on it is drafted once it opens."));
        }
        await EnsureSlicesFitAsync(facility, slice, cancellationToken);

        var agreement = new Agreement
        {
            Id = Guid.CreateVersion7(),
            Reference = $"AES-{facility.StateCode}-{guest.Code}-{startsAt:yyyy}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}",
            HostStateCode = facility.StateCode,
            FacilityId = facility.Id,
            GuestStateCode = guest.Code,
            Slice = slice,
            AllowedClassifications = classifications,
            PriceTerms = prices,
            StartsAt = startsAt,
            EndsAt = endsAt,
            DraftedByUserId = actor.Id,
            DraftedAt = Now,
        };
        db.Agreements.Add(agreement);
        // Two drafts checked against the same slices must not both pass: the facility's version serialises them.
        facility.RecordSliceChange();
        db.AddToOutbox(new AgreementDrafted(agreement.Id, agreement.Reference, agreement.HostStateCode, facility.Id,
            guest.Code, startsAt, endsAt), Now);
        await db.SaveOrExplainAsync("Facility", cancellationToken);
        return agreement;
    }

    public async Task<Agreement> SignAgreementAsync(V1.SignAgreementRequest request, CancellationToken cancellationToken)
    {
        var agreement = await AgreementAsync(request.AgreementId, "agreement_id", cancellationToken);
        var actor = await UserAsync(request.ActorUserId, "actor_user_id", cancellationToken);
        var now = Now;
        var signatory = agreement.Sign(actor, now);
        db.AddToOutbox(new AgreementSigned(agreement.Id, signatory, actor.Id, now), now);
        if (agreement.Advance(now) is { } entered)
        {
            AddLifecycleEvent(agreement, entered, now);
        }
        await SaveAsync("Agreement", cancellationToken);
        return agreement;
    }

    public async Task<Agreement> TerminateAgreementAsync(V1.TerminateAgreementRequest request, CancellationToken cancellationToken)
    {
        var agreement = await AgreementAsync(request.AgreementId, "agreement_id", cancellationToken);
        var actor = await UserAsync(request.ActorUserId, "actor_user_id", cancellationToken);
        var reason = Validate.Name(request.Reason, "reason", 1000);
        if (!actor.IsConfederalAdministrator && !actor.IsOperatorOf(agreement.HostStateCode) && !actor.IsOperatorOf(agreement.GuestStateCode))
        {
            throw new ForbiddenException(new(
                "Seuls l'administrateur confédéral et les opérateurs des deux États peuvent résilier cet accord.",
                "Only the confederal administrator and the operators of both states can terminate this agreement."));
        }
        var wasActive = agreement.Status == AgreementStatus.Active;
        agreement.Terminate(reason, Now);
        if (wasActive)
        {
            db.AddToOutbox(EndedEvent(agreement, "terminated"), Now);
        }
        await SaveAsync("Agreement", cancellationToken);
        return agreement;
    }

    /// <summary>Activates the agreements whose start has come and expires those whose end has passed.</summary>
    public async Task<int> AdvanceAgreementsAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var due = await db.Agreements
            .Where(a => (a.Status == AgreementStatus.SignedByGuest && (a.StartsAt <= now || a.EndsAt <= now))
                || (a.Status == AgreementStatus.Active && a.EndsAt <= now))
            .ToListAsync(cancellationToken);
        foreach (var agreement in due)
        {
            if (agreement.Advance(now) is { } entered)
            {
                AddLifecycleEvent(agreement, entered, now);
            }
        }
        await SaveAsync("Agreement", cancellationToken);
        return due.Count;
    }

    private void AddLifecycleEvent(Agreement agreement, AgreementStatus entered, DateTime now)
    {
        if (entered == AgreementStatus.Active)
        {
            db.AddToOutbox(TenancyEventFactory.Activated(agreement), now);
        }
        else if (entered == AgreementStatus.Expired && agreement.HostSignedAt is not null && agreement.GuestSignedAt is not null)
        {
            db.AddToOutbox(EndedEvent(agreement, "expired"), now);
        }
    }

    private static AgreementEnded EndedEvent(Agreement agreement, string reason) =>
        new(agreement.Id, agreement.HostStateCode, agreement.FacilityId, agreement.GuestStateCode, reason, agreement.EndedAt!.Value);

    /// <summary>The slices that are or will be in force on a facility may not add up past its installed capacity.</summary>
    private async Task EnsureSlicesFitAsync(Facility facility, ResourceVector slice, CancellationToken cancellationToken)
    {
        var committed = await CommittedSlicesAsync(facility, cancellationToken);
        foreach (var (field, value, limit) in committed.Add(slice).Exceeding(facility.InstalledCapacity))
        {
            throw new RuleViolationException(new(
                $"slice.{field} : les accords de {facility.Code} totaliseraient {value}, au-delà de sa capacité installée ({limit}).",
                $"slice.{field}: the agreements on {facility.Code} would total {value}, beyond its installed capacity ({limit})."));
        }
    }

    private static void RequireComputeCapacity(ResourceVector capacity, string field)
    {
        if (capacity[ResourceClasses.Vcpu] == 0 || capacity[ResourceClasses.MemoryGib] == 0)
        {
            throw new InvalidFieldException(field, new("un centre doit déclarer des vCPU et de la mémoire.", "a facility must declare vCPU and memory."));
        }
    }

    /// <summary>The slices of the facility's agreements in force or to come (drafted, signed by one side, active), added up.</summary>
    private async Task<ResourceVector> CommittedSlicesAsync(Facility facility, CancellationToken cancellationToken) =>
        (await db.Agreements
            .Where(a => a.FacilityId == facility.Id && a.Status != AgreementStatus.Expired && a.Status != AgreementStatus.Terminated)
            .Select(a => a.Slice)
            .ToListAsync(cancellationToken))
        .Aggregate(ResourceVector.Zero, (sum, next) => sum.Add(next));

    private async Task<MemberState> KnownStateAsync(string? code, string field, CancellationToken cancellationToken)
    {
        var normalized = Validate.StateCode(code, field);
        return await db.MemberStates.FindAsync([normalized], cancellationToken)
            ?? throw new InvalidFieldException(field, new(
                $"« {normalized} » n'est pas un État membre de l'AES (ML, BF, NE).",
                $"\"{normalized}\" is not an AES member state (ML, BF, NE)."));
    }

    private async Task<Facility> FacilityAsync(string? id, string field, CancellationToken cancellationToken) =>
        await db.Facilities.FindAsync([Validate.Id(id, field)], cancellationToken) ?? throw new NotFoundException("Facility", id!);

    private async Task<Agency> AgencyAsync(string? id, string field, CancellationToken cancellationToken) =>
        await db.Agencies.FindAsync([Validate.Id(id, field)], cancellationToken) ?? throw new NotFoundException("Agency", id!);

    private async Task<User> UserAsync(string? id, string field, CancellationToken cancellationToken)
    {
        var userId = Validate.Id(id, field);
        return await db.Users.Include(u => u.Roles).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("User", id!);
    }

    private async Task<Agreement> AgreementAsync(string? id, string field, CancellationToken cancellationToken) =>
        await db.Agreements.FindAsync([Validate.Id(id, field)], cancellationToken) ?? throw new NotFoundException("Agreement", id!);

    private async Task<RoleAssignment> RoleAssignmentAsync(V1.RoleAssignment? assignment, string field, CancellationToken cancellationToken)
    {
        if (assignment is null)
        {
            throw new InvalidFieldException(field, new("est obligatoire.", "is required."));
        }
        var role = assignment.Role switch
        {
            V1.Role.Requester => Role.Requester,
            V1.Role.AgencyAdministrator => Role.AgencyAdministrator,
            V1.Role.StateOperator => Role.StateOperator,
            V1.Role.ConfederalAdministrator => Role.ConfederalAdministrator,
            V1.Role.Auditor => Role.Auditor,
            _ => throw new InvalidFieldException($"{field}.role", new("rôle inconnu.", "unknown role.")),
        };
        var hasState = !string.IsNullOrWhiteSpace(assignment.StateCode);
        var hasAgency = !string.IsNullOrWhiteSpace(assignment.AgencyId);
        switch (role)
        {
            case Role.Requester or Role.AgencyAdministrator:
                var agency = await AgencyAsync(assignment.AgencyId, $"{field}.agency_id", cancellationToken);
                if (hasState && !string.Equals(assignment.StateCode.Trim(), agency.StateCode, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidFieldException($"{field}.state_code", new(
                        $"l'organisme appartient à {agency.StateCode}.", $"the agency belongs to {agency.StateCode}."));
                }
                return new RoleAssignment(role, agency.StateCode, agency.Id);
            case Role.StateOperator:
                RejectAgency();
                var state = await KnownStateAsync(assignment.StateCode, $"{field}.state_code", cancellationToken);
                return new RoleAssignment(role, state.Code, null);
            case Role.Auditor:
                RejectAgency();
                return new RoleAssignment(role, hasState ? (await KnownStateAsync(assignment.StateCode, $"{field}.state_code", cancellationToken)).Code : null, null);
            default:
                RejectAgency();
                if (hasState)
                {
                    throw new InvalidFieldException($"{field}.state_code", new(
                        "l'administrateur confédéral n'est rattaché à aucun État.", "the confederal administrator belongs to no single state."));
                }
                return new RoleAssignment(role, null, null);
        }

        void RejectAgency()
        {
            if (hasAgency)
            {
                throw new InvalidFieldException($"{field}.agency_id", new(
                    "ce rôle n'est pas rattaché à un organisme.", "this role is not scoped to an agency."));
            }
        }
    }

    internal static List<DataClassification> Classifications(IReadOnlyCollection<V1.DataClassification> requested)
    {
        if (requested.Count == 0)
        {
            throw new InvalidFieldException("allowed_classifications", new(
                "au moins une classification est obligatoire.", "at least one classification is required."));
        }
        var result = new List<DataClassification>();
        foreach (var classification in requested)
        {
            var mapped = classification switch
            {
                V1.DataClassification.Sensitive => DataClassification.Sensitive,
                V1.DataClassification.Internal => DataClassification.Internal,
                V1.DataClassification.Public => DataClassification.Public,
                V1.DataClassification.Strategic => throw new InvalidFieldException("allowed_classifications", new(
                    "les données stratégiques ne franchissent jamais une frontière, même sous accord.",
                    "strategic data never crosses a border, even under an agreement.")),
                _ => throw new InvalidFieldException("allowed_classifications", new("classification inconnue.", "unknown classification.")),
            };
            if (!result.Contains(mapped))
            {
                result.Add(mapped);
            }
        }
        result.Sort();
        return result;
    }

    private async Task<PriceTerms> PricesAsync(V1.PriceTerms? terms, CancellationToken cancellationToken)
    {
        if (terms is null || terms.FacilityListPrice)
        {
            if (terms is not null && terms.UnitPrices.Count > 0)
            {
                throw new InvalidFieldException("price_terms", new(
                    "indiquez soit le prix catalogue, soit des prix fixes, pas les deux.",
                    "give either the list price or fixed prices, not both."));
            }
            return PriceTerms.ListPrice;
        }
        var prices = await ClassAmounts.PricesOfAsync(db, terms, cancellationToken);
        // A standard class fixed terms leave out costs nothing: terms naming none of them would host VMs for free.
        if (!prices.Classes.Any(ResourceClasses.IsStandard))
        {
            throw new InvalidFieldException("price_terms", new(
                "des prix fixes sans prix pour le vCPU, la mémoire, le stockage ni l'adresse IPv4 factureraient ces ressources zéro : indiquez-en au moins un, ou le prix catalogue.",
                "fixed prices with no price for vCPU, memory, storage or the IPv4 address would bill them nothing: give at least one, or the list price."));
        }
        return new PriceTerms(false, prices);
    }

    internal static (DateTime StartsAt, DateTime EndsAt) Period(Google.Protobuf.WellKnownTypes.Timestamp? starts, Google.Protobuf.WellKnownTypes.Timestamp? ends)
    {
        var startsAt = Instant(starts, "starts_at");
        var endsAt = Instant(ends, "ends_at");
        if (endsAt <= startsAt)
        {
            throw new InvalidFieldException("ends_at", new("doit suivre la date de début.", "must come after the start date."));
        }
        if (endsAt > startsAt.AddYears(MaxYearsAhead))
        {
            throw new InvalidFieldException("ends_at", new(
                $"un accord dure au plus {MaxYearsAhead} ans.", $"an agreement lasts at most {MaxYearsAhead} years."));
        }
        return (startsAt, endsAt);
    }

    private static DateTime Instant(Google.Protobuf.WellKnownTypes.Timestamp? value, string field)
    {
        if (value is null)
        {
            throw new InvalidFieldException(field, new("est obligatoire.", "is required."));
        }
        if (value.Seconds < 946_684_800 || value.Seconds > 4_102_444_800 || value.Nanos is < 0 or > 999_999_999)
        {
            throw new InvalidFieldException(field, new("doit être entre 2000 et 2100.", "must be between 2000 and 2100."));
        }
        return value.ToDateTime();
    }

    private static decimal Availability(string? text)
    {
        if (!decimal.TryParse(text?.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent)
            || percent < 90m || percent >= 100m || decimal.Round(percent, 3) != percent)
        {
            throw new InvalidFieldException("target_availability_percent", new(
                "doit être un pourcentage entre 90 et 100, au plus trois décimales (exemple : 99.982).",
                "must be a percentage between 90 and 100 with at most three decimals (example: 99.982)."));
        }
        return percent;
    }

    private static string Email(string? value)
    {
        var email = Validate.Optional(value, "email", 254);
        if (email.Length > 0 && (email.IndexOf('@') is <= 0 || email.IndexOf('@') != email.LastIndexOf('@') || email.EndsWith('@')))
        {
            throw new InvalidFieldException("email", new("n'est pas une adresse valide.", "is not a valid address."));
        }
        return email;
    }

    private Task SaveAsync(string entity, CancellationToken cancellationToken) => db.SaveOrExplainAsync(entity, cancellationToken);
}
