using Aes.Contracts;
using Aes.Contracts.Tenancy;
using Aes.ServiceDefaults.Errors;
using Aes.Tenancy.Application;
using Aes.Tenancy.Domain;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Tests;

/// <summary>
/// Installed capacity, agreements' slices and fixed prices by class (issue 21, step S3): any class of the catalogue, GPUs
/// included, given by list or by the four fixed fields, on an in-memory SQLite database built from the migrations.
/// </summary>
public sealed class AgreementClassTests() : TenancyDatabaseTests(new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero))
{
    private const string Gpu = "gpu_a100_80g";

    protected override async Task SeedAsync()
    {
        foreach (var (code, zone) in new[] { ("ML", "Africa/Bamako"), ("NE", "Africa/Niamey") })
        {
            await _operations.RegisterMemberStateAsync(new MemberState { Code = code, NameFr = code, NameEn = code, TimeZone = zone }, default);
        }
        await _operations.DefineResourceClassAsync(new V1.DefineResourceClassRequest
        {
            StateCode = "ML", Code = Gpu, Unit = "gpu", NameFr = "GPU A100 80 Go", NameEn = "A100 80 GB GPU",
            Metering = V1.ResourceMetering.Hourly, Consumption = V1.ResourceConsumption.Count,
        }, default);
    }

    private static IEnumerable<V1.ResourceAmount> Amounts(params (string Class, long Amount)[] amounts) =>
        amounts.Select(a => new V1.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount });

    private async Task<Facility> OpenedAsync(long gpus)
    {
        var request = new V1.RegisterFacilityRequest
        {
            Code = "ML-BKO-1", StateCode = "ML", Name = "Datacenter national de Bamako", City = "Bamako", Tier = 3, TargetAvailabilityPercent = "99.982",
            InstalledCapacityByClass = { Amounts(("vcpu", 2048), ("memory_gib", 8192), ("storage_gib", 512_000), ("public_ipv4", 256), (Gpu, gpus)) },
        };
        var facility = await _operations.RegisterFacilityAsync(request, default);
        return await _operations.OpenFacilityAsync(facility.Id.ToString(), default);
    }

    private async Task<User> AdminAsync() => await _operations.CreateUserAsync(new V1.CreateUserRequest
    {
        UserName = "admin.aes", DisplayName = "admin", Roles = { new V1.RoleAssignment { Role = V1.Role.ConfederalAdministrator } },
    }, default);

    private static V1.DraftAgreementRequest Draft(Facility facility, User actor, long gpus) => new()
    {
        ActorUserId = actor.Id.ToString(), FacilityId = facility.Id.ToString(), GuestStateCode = "NE",
        SliceByClass = { Amounts(("vcpu", 256), ("memory_gib", 1024), ("storage_gib", 10_000), (Gpu, gpus)) },
        AllowedClassifications = { V1.DataClassification.Internal },
        PriceTerms = new V1.PriceTerms { FacilityListPrice = true },
        StartsAt = Timestamp.FromDateTime(new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
        EndsAt = Timestamp.FromDateTime(new DateTime(2028, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
    };

    private async Task<string> RefusedFieldAsync(V1.DraftAgreementRequest request)
    {
        var before = await _db.Agreements.CountAsync();
        var refused = await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.DraftAgreementAsync(request, default));
        Assert.Equal(before, await _db.Agreements.CountAsync());
        return refused.Field;
    }

    [Fact]
    public async Task A_slice_of_GPUs_is_kept_by_class_read_back_and_announced_by_class()
    {
        var facility = await OpenedAsync(gpus: 8);
        Assert.Equal(8, facility.InstalledCapacity[Gpu]);

        var drafted = await _operations.DraftAgreementAsync(Draft(facility, await AdminAsync(), gpus: 4), default);
        _db.ChangeTracker.Clear();
        var stored = await _db.Agreements.AsNoTracking().SingleAsync(a => a.Id == drafted.Id);

        Assert.Equal(ResourceVector.Of(("vcpu", 256), ("memory_gib", 1024), ("storage_gib", 10_000), (Gpu, 4)), stored.Slice);
        var activated = TenancyEventFactory.Activated(stored);
        Assert.Equal(stored.Slice, ResourceVector.FromList(activated.SliceResources));
        var registered = TenancyEventFactory.Registered(facility);
        Assert.Equal(8, ResourceVector.FromList(registered.InstalledResources)[Gpu]);
    }

    [Fact]
    public async Task GPU_slices_add_up_to_the_installed_GPUs_at_most_and_a_facility_without_them_has_none_to_give()
    {
        var facility = await OpenedAsync(gpus: 8);
        var admin = await AdminAsync();
        await _operations.DraftAgreementAsync(Draft(facility, admin, gpus: 6), default);

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _operations.DraftAgreementAsync(Draft(facility, admin, gpus: 3), default));
        Assert.Contains(Gpu, refused.Message);
        Assert.Equal("slice_by_class[3].amount", await RefusedFieldAsync(Draft(facility, admin, gpus: 9)));
        Assert.Single(await _db.Agreements.ToListAsync());
    }

    [Fact]
    public async Task An_unknown_class_a_repeated_class_and_a_missing_slice_are_refused_by_field()
    {
        var facility = await OpenedAsync(gpus: 8);
        var admin = await AdminAsync();

        var unknown = Draft(facility, admin, gpus: 1);
        unknown.SliceByClass[3].ResourceClass = "gpu_h100";
        Assert.Equal("slice_by_class[3].resource_class", await RefusedFieldAsync(unknown));

        var twice = Draft(facility, admin, gpus: 1);
        twice.SliceByClass[3].ResourceClass = "vcpu";
        Assert.Equal("slice_by_class[3].resource_class", await RefusedFieldAsync(twice));

        var none = Draft(facility, admin, gpus: 1);
        none.SliceByClass.Clear();
        Assert.Equal("slice_by_class", await RefusedFieldAsync(none));

        var noMemory = Draft(facility, admin, gpus: 1);
        noMemory.SliceByClass.RemoveAt(1);
        Assert.Equal("slice_by_class", await RefusedFieldAsync(noMemory));

        Assert.Equal(1, (await _operations.DraftAgreementAsync(Draft(facility, admin, gpus: 1), default)).Slice[Gpu]);
    }

    [Fact]
    public async Task Fixed_prices_are_by_class_and_may_price_a_GPU_of_the_slice()
    {
        var facility = await OpenedAsync(gpus: 8);
        var admin = await AdminAsync();

        var byList = Draft(facility, admin, gpus: 0);
        byList.SliceByClass.RemoveAt(3);
        byList.PriceTerms = new V1.PriceTerms { UnitPrices = { new V1.ResourcePrice { ResourceClass = "vcpu", UnitPriceXof = 20 }, new V1.ResourcePrice { ResourceClass = "storage_gib", UnitPriceXof = 50 } } };
        var priced = await _operations.DraftAgreementAsync(byList, default);
        Assert.Equal(ResourceVector.Of(("vcpu", 20), ("storage_gib", 50)), priced.PriceTerms.UnitPricesXof);
        var terms = TenancyEventFactory.Activated(priced).PriceTerms;
        Assert.Equal((false, ResourceVector.Of(("vcpu", 20), ("storage_gib", 50))), (terms.FacilityListPrice, ResourceVector.FromPrices(terms.UnitPrices)));

        // Billing prices every class (S4): a fixed GPU price is agreed and travels to billing with the others.
        var gpuPrice = Draft(facility, admin, gpus: 2);
        gpuPrice.PriceTerms = byList.PriceTerms.Clone();
        gpuPrice.PriceTerms.UnitPrices.Add(new V1.ResourcePrice { ResourceClass = Gpu, UnitPriceXof = 1500 });
        var gpuTerms = TenancyEventFactory.Activated(await _operations.DraftAgreementAsync(gpuPrice, default)).PriceTerms;
        Assert.Equal([new ResourcePrice(Gpu, 1500), new ResourcePrice("storage_gib", 50), new ResourcePrice("vcpu", 20)], gpuTerms.UnitPrices);

        // A GPU slice at fixed prices that leave the GPU out: the GPU is billed at the facility's list price.
        var gpuSliceAtFixedPrices = Draft(facility, admin, gpus: 2);
        gpuSliceAtFixedPrices.PriceTerms = byList.PriceTerms;
        Assert.Equal(2, (await _operations.DraftAgreementAsync(gpuSliceAtFixedPrices, default)).Slice[Gpu]);

        // Fixed prices for the GPU alone would host the VMs' standard classes for nothing: refused.
        var gpuOnly = Draft(facility, admin, gpus: 2);
        gpuOnly.PriceTerms = new V1.PriceTerms { UnitPrices = { new V1.ResourcePrice { ResourceClass = Gpu, UnitPriceXof = 1500 } } };
        Assert.Equal("price_terms", await RefusedFieldAsync(gpuOnly));

        var unknownPrice = byList.Clone();
        unknownPrice.PriceTerms.UnitPrices.Add(new V1.ResourcePrice { ResourceClass = "gpu_h100", UnitPriceXof = 1500 });
        Assert.Equal("price_terms.unit_prices[2].resource_class", await RefusedFieldAsync(unknownPrice));

        var both = byList.Clone();
        both.PriceTerms.FacilityListPrice = true;
        Assert.Equal("price_terms", await RefusedFieldAsync(both));

        var none = byList.Clone();
        none.PriceTerms.UnitPrices.Clear();
        Assert.Equal("price_terms", await RefusedFieldAsync(none));
    }

    private static V1.SetFacilityCapacityRequest Capacity(Facility facility, params (string Class, long Amount)[] amounts) =>
        new() { Id = facility.Id.ToString(), InstalledCapacityByClass = { Amounts(amounts) } };

    [Fact]
    public async Task A_facility_that_installs_GPUs_says_so_and_a_GPU_slice_then_fits_within_them()
    {
        var facility = await OpenedAsync(gpus: 0);
        var admin = await AdminAsync();
        Assert.StartsWith("slice_by_class[3]", await RefusedFieldAsync(Draft(facility, admin, gpus: 2)));
        var before = facility.Version;

        var changed = await _operations.SetFacilityCapacityAsync(
            Capacity(facility, ("vcpu", 2048), ("memory_gib", 8192), ("storage_gib", 512_000), ("public_ipv4", 256), (Gpu, 8)), default);

        Assert.Equal(8, changed.InstalledCapacity[Gpu]);
        Assert.True(changed.Version > before, "the facility's version moves, so a draft checked against the old capacity cannot also pass");
        var announced = Assert.Single(await AnnouncedAsync<FacilityCapacityChanged>());
        Assert.Equal(facility.Id, announced.FacilityId);
        Assert.Contains(announced.InstalledResources, a => a.Class == Gpu && a.Amount == 8);
        Assert.Equal(2, (await _operations.DraftAgreementAsync(Draft(facility, admin, gpus: 2), default)).Slice[Gpu]);
        Assert.StartsWith("slice_by_class[3]", await RefusedFieldAsync(Draft(facility, admin, gpus: 9)));
    }

    [Fact]
    public async Task Installed_capacity_never_drops_below_what_the_agreements_on_the_facility_hold()
    {
        var facility = await OpenedAsync(gpus: 8);
        await _operations.DraftAgreementAsync(Draft(facility, await AdminAsync(), gpus: 4), default);

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _operations.SetFacilityCapacityAsync(
            Capacity(facility, ("vcpu", 2048), ("memory_gib", 8192), ("storage_gib", 512_000), ("public_ipv4", 256), (Gpu, 3)), default));

        Assert.Contains(Gpu, refused.Message);
        _db.ChangeTracker.Clear();
        Assert.Equal(8, (await _db.Facilities.AsNoTracking().SingleAsync(f => f.Id == facility.Id)).InstalledCapacity[Gpu]);
        Assert.Empty(await AnnouncedAsync<FacilityCapacityChanged>());
        // Retiring GPUs no agreement holds is allowed.
        Assert.Equal(4, (await _operations.SetFacilityCapacityAsync(
            Capacity(facility, ("vcpu", 2048), ("memory_gib", 8192), ("storage_gib", 512_000), ("public_ipv4", 256), (Gpu, 4)), default)).InstalledCapacity[Gpu]);
    }

    [Fact]
    public async Task A_closed_facility_keeps_its_last_capacity()
    {
        var facility = await OpenedAsync(gpus: 8);
        await _operations.CloseFacilityAsync(facility.Id.ToString(), default);

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _operations.SetFacilityCapacityAsync(
            Capacity(facility, ("vcpu", 4096), ("memory_gib", 8192), (Gpu, 16)), default));

        Assert.Contains("fermé", refused.Message);
        _db.ChangeTracker.Clear();
        Assert.Equal(8, (await _db.Facilities.AsNoTracking().SingleAsync(f => f.Id == facility.Id)).InstalledCapacity[Gpu]);
        Assert.Empty(await AnnouncedAsync<FacilityCapacityChanged>());
    }

    [Fact]
    public async Task A_capacity_read_before_another_operators_change_does_not_overwrite_it()
    {
        var facility = await OpenedAsync(gpus: 8);
        var readByBoth = facility.Version;
        (string, long)[] standard = [("vcpu", 2048), ("memory_gib", 8192), ("storage_gib", 512_000), ("public_ipv4", 256)];
        var first = Capacity(facility, [.. standard, (Gpu, 12)]);
        first.ExpectedVersion = readByBoth;
        await _operations.SetFacilityCapacityAsync(first, default);

        // The second operator's form still shows 8 GPUs and changes the storage: saving it would take the 4 new GPUs away.
        var second = Capacity(facility, ("vcpu", 2048), ("memory_gib", 8192), ("storage_gib", 600_000), ("public_ipv4", 256), (Gpu, 8));
        second.ExpectedVersion = readByBoth;
        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _operations.SetFacilityCapacityAsync(second, default));

        Assert.Contains("ML-BKO-1", refused.Message);
        _db.ChangeTracker.Clear();
        var stored = await _db.Facilities.AsNoTracking().SingleAsync(f => f.Id == facility.Id);
        Assert.Equal((12L, 512_000L), (stored.InstalledCapacity[Gpu], stored.InstalledCapacity["storage_gib"]));
        Assert.Single(await AnnouncedAsync<FacilityCapacityChanged>());
    }

    [Fact]
    public async Task A_draft_checked_against_the_old_capacity_and_a_lowering_cannot_both_pass()
    {
        var facility = await OpenedAsync(gpus: 8);
        var admin = await AdminAsync();
        var (otherDb, other) = SecondWriter();
        await using var _ = otherDb;
        // The draft has read the facility, 8 GPUs installed, when the lowering to 2 lands.
        await otherDb.Facilities.SingleAsync(f => f.Id == facility.Id);
        await _operations.SetFacilityCapacityAsync(
            Capacity(facility, ("vcpu", 2048), ("memory_gib", 8192), ("storage_gib", 512_000), ("public_ipv4", 256), (Gpu, 2)), default);

        await Assert.ThrowsAsync<ConcurrentChangeException>(() => other.DraftAgreementAsync(Draft(facility, admin, gpus: 4), default));

        Assert.Empty(await _db.Agreements.AsNoTracking().ToListAsync());
    }

    [Theory]
    [InlineData("", "installed_capacity_by_class")]
    [InlineData("vcpu=64", "installed_capacity_by_class")]
    [InlineData("vcpu=64;memory_gib=256;gpu_h100=2", "installed_capacity_by_class[2].resource_class")]
    [InlineData("vcpu=64;memory_gib=-1", "installed_capacity_by_class[1].amount")]
    [InlineData("vcpu=64;memory_gib=256;vcpu=32", "installed_capacity_by_class[2].resource_class")]
    public async Task A_bad_installed_capacity_is_refused_by_field_and_changes_nothing(string amounts, string field)
    {
        var facility = await OpenedAsync(gpus: 8);
        var parsed = amounts.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Split('=')).Select(a => (a[0], long.Parse(a[1]))).ToArray();

        var refused = await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.SetFacilityCapacityAsync(Capacity(facility, parsed), default));

        Assert.Equal(field, refused.Field);
        _db.ChangeTracker.Clear();
        Assert.Equal(8, (await _db.Facilities.AsNoTracking().SingleAsync(f => f.Id == facility.Id)).InstalledCapacity[Gpu]);
        Assert.Empty(await AnnouncedAsync<FacilityCapacityChanged>());
    }
}
