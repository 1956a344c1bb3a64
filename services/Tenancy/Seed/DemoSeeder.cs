using System.Text.Json;
using Aes.Tenancy.Application;
using Google.Protobuf.WellKnownTypes;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Seed;

/// <summary>
/// Loads the demo data of DOMAIN.md (Seed/demo-data.json) through the same operations as the API,
/// so every seeded fact also publishes its integration event. Runs once, on an empty database, and gives the demo
/// password to the users it creates then, and to no one else. Refused in Production (<see cref="StartupConfiguration"/>).
/// </summary>
public sealed partial class DemoSeeder(
    TenancyDbContext db, TenancyOperations operations, ProjectMemberships memberships, IConfiguration configuration, ILogger<DemoSeeder> logger)
{
    /// <summary>Every demo user's password unless Seed:DemoPassword says otherwise; the README lists the users.</summary>
    public const string DefaultDemoPassword = "aes-demo-2026";

    public async Task<bool> SeedAsync(CancellationToken cancellationToken)
    {
        if (await db.MemberStates.AnyAsync(cancellationToken))
        {
            return false;
        }
        var data = await LoadAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        foreach (var state in data.States)
        {
            await operations.RegisterMemberStateAsync(new MemberState
            {
                Code = state.Code, NameFr = state.NameFr, NameEn = state.NameEn, TimeZone = state.TimeZone,
            }, cancellationToken);
        }

        // Accelerators the demo's states added to the catalogue (Bamako's GPU pool is counted in one).
        foreach (var seed in data.ResourceClasses ?? [])
        {
            await operations.DefineResourceClassAsync(new V1.DefineResourceClassRequest
            {
                StateCode = seed.StateCode, Code = seed.Code, Unit = seed.Unit, NameFr = seed.NameFr, NameEn = seed.NameEn,
                Metering = seed.Metering == "hourly" ? V1.ResourceMetering.Hourly : V1.ResourceMetering.Monthly,
                Consumption = seed.Consumption == "count" ? V1.ResourceConsumption.Count : V1.ResourceConsumption.Amount,
            }, cancellationToken);
        }

        var facilities = new Dictionary<string, Facility>();
        foreach (var seed in data.Facilities)
        {
            var facility = await operations.RegisterFacilityAsync(new V1.RegisterFacilityRequest
            {
                Code = seed.Code, StateCode = seed.StateCode, Name = seed.Name, City = seed.City, Tier = seed.Tier,
                TargetAvailabilityPercent = seed.TargetAvailabilityPercent, InstalledCapacityByClass = { ByClass(seed.InstalledCapacity) },
            }, cancellationToken);
            if (seed.Open)
            {
                facility = await operations.OpenFacilityAsync(facility.Id.ToString(), cancellationToken);
            }
            facilities[seed.Code] = facility;
        }

        var agencies = new Dictionary<string, Agency>();
        var projects = new Dictionary<(Guid Agency, string Name), Project>();
        foreach (var seed in data.Agencies)
        {
            var agency = await operations.RegisterAgencyAsync(
                new V1.RegisterAgencyRequest { StateCode = seed.StateCode, Code = seed.Code, Name = seed.Name }, cancellationToken);
            agencies[$"{seed.StateCode}/{seed.Code}"] = agency;
            foreach (var project in seed.Projects)
            {
                var created = await operations.CreateProjectAsync(new V1.CreateProjectRequest { AgencyId = agency.Id.ToString(), Name = project }, cancellationToken);
                projects[(agency.Id, project)] = created;
            }
        }

        var users = new Dictionary<string, User>();
        foreach (var seed in data.Users)
        {
            var request = new V1.CreateUserRequest { UserName = seed.UserName, DisplayName = seed.DisplayName, Email = $"{seed.UserName}@{DemoMailDomain}" };
            request.Roles.AddRange(seed.Roles.Select(role => new V1.RoleAssignment
            {
                Role = System.Enum.Parse<V1.Role>(role.Role),
                StateCode = role.State ?? "",
                AgencyId = role.Agency is null ? "" : agencies[role.Agency].Id.ToString(),
            }));
            var user = users[seed.UserName] = await operations.CreateUserAsync(request, cancellationToken);
            foreach (var project in seed.Projects ?? [])
            {
                var agency = agencies[seed.Roles.Single(r => r.Agency is not null).Agency!];
                await memberships.AddAsync(new V1.AddProjectMemberRequest
                {
                    ProjectId = projects[(agency.Id, project)].Id.ToString(), UserId = user.Id.ToString(),
                }, cancellationToken);
            }
        }

        foreach (var seed in data.Agreements)
        {
            var draft = new V1.DraftAgreementRequest
            {
                ActorUserId = users[seed.DraftedBy].Id.ToString(),
                FacilityId = facilities[seed.Facility].Id.ToString(),
                GuestStateCode = seed.GuestStateCode,
                SliceByClass = { ByClass(seed.Slice) },
                PriceTerms = new V1.PriceTerms { FacilityListPrice = true },
                StartsAt = Timestamp.FromDateTime(seed.StartsOn.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
                EndsAt = Timestamp.FromDateTime(seed.EndsOn.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
            };
            draft.AllowedClassifications.AddRange(seed.AllowedClassifications.Select(System.Enum.Parse<V1.DataClassification>));
            var agreement = await operations.DraftAgreementAsync(draft, cancellationToken);
            foreach (var signatory in seed.SignedBy)
            {
                await operations.SignAgreementAsync(new V1.SignAgreementRequest
                {
                    AgreementId = agreement.Id.ToString(), ActorUserId = users[signatory].Id.ToString(),
                }, cancellationToken);
            }
        }

        // Only the accounts made in this very run get the well-known password: never someone who came later under a demo name.
        var password = configuration["Seed:DemoPassword"] is { Length: > 0 } configured ? configured : DefaultDemoPassword;
        foreach (var user in users.Values)
        {
            user.PasswordHash = Identity.Passwords.Hash(user, password);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogSeeded(data.States.Count, data.Facilities.Count, data.Agencies.Count, data.Users.Count, data.Agreements.Count);
        return true;
    }

    /// <summary>The demo's accounts, user name and roles (Requester, StateOperator…), for the launchers' banner.</summary>
    /// <summary>The demo users' mail domain: reserved for tests (RFC 2606), so a demo never writes to a real mailbox.</summary>
    public const string DemoMailDomain = "aes.test";

    public static async Task<IReadOnlyList<(string UserName, IReadOnlyList<string> Roles)>> DemoAccountsAsync(CancellationToken cancellationToken) =>
        (await LoadAsync(cancellationToken)).Users.Select(u => (u.UserName, (IReadOnlyList<string>)u.Roles.Select(r => r.Role).ToList())).ToList();

    private static async Task<DemoData> LoadAsync(CancellationToken cancellationToken)
    {
        await using var stream = typeof(DemoSeeder).Assembly.GetManifestResourceStream("Aes.Tenancy.Seed.demo-data.json")
            ?? throw new InvalidOperationException("The demo seed is missing from the assembly.");
        return await JsonSerializer.DeserializeAsync<DemoData>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web), cancellationToken)
            ?? throw new InvalidOperationException("The demo seed is empty.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data seeded: {States} states, {Facilities} facilities, {Agencies} agencies, {Users} users, {Agreements} agreements")]
    private partial void LogSeeded(int states, int facilities, int agencies, int users, int agreements);

    private sealed record DemoData(List<SeedState> States, List<SeedFacility> Facilities, List<SeedAgency> Agencies, List<SeedUser> Users, List<SeedAgreement> Agreements,
        List<SeedResourceClass>? ResourceClasses = null);
    private sealed record SeedResourceClass(string StateCode, string Code, string Unit, string NameFr, string NameEn, string Metering, string Consumption);
    private sealed record SeedState(string Code, string NameFr, string NameEn, string TimeZone);
    /// <summary>Amounts by class code, as the demo's file gives them (<c>"gpu_a100_80g": 8</c>).</summary>
    private static IEnumerable<V1.ResourceAmount> ByClass(Dictionary<string, long> amounts) =>
        amounts.Select(a => new V1.ResourceAmount { ResourceClass = a.Key, Amount = a.Value });

    private sealed record SeedFacility(string Code, string StateCode, string Name, string City, int Tier, string TargetAvailabilityPercent, bool Open, Dictionary<string, long> InstalledCapacity);
    private sealed record SeedAgency(string StateCode, string Code, string Name, List<string> Projects);
    private sealed record SeedRole(string Role, string? State, string? Agency);
    /// <summary>A demo user; <paramref name="Projects"/> names the projects of their agency they work on.</summary>
    private sealed record SeedUser(string UserName, string DisplayName, List<SeedRole> Roles, List<string>? Projects);
    private sealed record SeedAgreement(string Facility, string GuestStateCode, string DraftedBy, List<string> SignedBy, Dictionary<string, long> Slice,
        List<string> AllowedClassifications, DateOnly StartsOn, DateOnly EndsOn);
}
