using Aes.Contracts;
using Aes.Contracts.Tenancy;
using Aes.ServiceDefaults.Errors;
using Aes.Tenancy.Application;
using Aes.Tenancy.Domain;
using Microsoft.EntityFrameworkCore;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Tests;

/// <summary>The resource-class catalogue's rules on an in-memory SQLite database built from the migrations.</summary>
public sealed class ResourceClassCatalogueTests() : TenancyDatabaseTests(new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero))
{

    protected override async Task SeedAsync()
    {
        await _operations.RegisterMemberStateAsync(new MemberState { Code = "ML", NameFr = "Mali", NameEn = "Mali", TimeZone = "Africa/Bamako" }, default);
        _db.ChangeTracker.Clear();
    }

    private static V1.DefineResourceClassRequest A100(Action<V1.DefineResourceClassRequest>? change = null)
    {
        var request = new V1.DefineResourceClassRequest
        {
            StateCode = "ML", Code = "gpu_a100_80g", Unit = "gpu", NameFr = "GPU A100 80 Go", NameEn = "A100 80 GB GPU",
            Metering = V1.ResourceMetering.Hourly, Consumption = V1.ResourceConsumption.Count,
        };
        change?.Invoke(request);
        return request;
    }

    [Fact]
    public async Task A_new_database_holds_the_four_standard_classes_in_their_order_with_the_contracts_terms()
    {
        var held = await _db.ResourceClasses.AsNoTracking().OrderBy(c => c.Rank).ToListAsync();

        Assert.Equal(ResourceClasses.Standard, held.Select(c => c.Terms));
        Assert.All(held, c => Assert.True(c.IsStandard));
        Assert.All(held, c => Assert.Null(c.DefinedByStateCode));
        Assert.Equal(["vcpu-hour", "gib-hour", "gib-month", "ipv4-month"], held.Select(c => ResourceClasses.BillingUnit(c.Unit, c.Metering)));
    }

    [Fact]
    public async Task An_operator_adds_an_accelerator_as_data_announced_once_and_listed_after_the_standard_classes()
    {
        var defined = await _operations.DefineResourceClassAsync(A100(r => r.Code = "  GPU_A100_80G "), default);

        Assert.Equal(("gpu_a100_80g", "ML", _clock.GetUtcNow().UtcDateTime, false), (defined.Code, defined.DefinedByStateCode, defined.DefinedAt, defined.IsStandard));
        var announced = Assert.Single(await AnnouncedAsync<ResourceClassDefined>());
        Assert.Equal(new ResourceClassDefined("gpu_a100_80g", "gpu", "GPU A100 80 Go", "A100 80 GB GPU", ResourceMetering.Hourly, ResourceConsumption.Count,
            "ML", _clock.GetUtcNow().UtcDateTime), announced);
        Assert.Equal(["vcpu", "memory_gib", "storage_gib", "public_ipv4", "gpu_a100_80g"],
            await _db.ResourceClasses.AsNoTracking().OrderBy(c => c.Rank).ThenBy(c => c.Code).Select(c => c.Code).ToListAsync());
    }

    [Fact]
    public async Task Defining_the_same_class_again_answers_it_as_it_is_and_changes_nothing()
    {
        var first = await _operations.DefineResourceClassAsync(A100(), default);
        _clock.Advance(TimeSpan.FromHours(1));
        _db.ChangeTracker.Clear();

        var again = await _operations.DefineResourceClassAsync(A100(), default);

        Assert.Equal((first.Code, first.DefinedAt), (again.Code, again.DefinedAt));
        Assert.Single(await AnnouncedAsync<ResourceClassDefined>());
        Assert.Equal(5, await _db.ResourceClasses.CountAsync());
    }

    [Theory]
    [InlineData("gpu_a100_80g", "unit")]
    [InlineData("gpu_a100_80g", "metering")]
    [InlineData("vcpu", "consumption")]
    [InlineData("memory_gib", "name_fr")]
    public async Task Other_terms_for_a_code_already_taken_are_refused_and_the_class_stays_as_it_was(string code, string changed)
    {
        await _operations.DefineResourceClassAsync(A100(), default);
        _db.ChangeTracker.Clear();
        var before = await _db.ResourceClasses.AsNoTracking().SingleAsync(c => c.Code == code);

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _operations.DefineResourceClassAsync(A100(r =>
        {
            r.Code = code;
            switch (changed)
            {
                case "unit": r.Unit = "carte"; break;
                case "metering": r.Metering = V1.ResourceMetering.Monthly; break;
                case "consumption": r.Consumption = V1.ResourceConsumption.Amount; break;
                default: r.NameFr = "Autre nom"; break;
            }
        }), default));

        Assert.Contains($"La classe {code} existe déjà", refused.Bilingual.French);
        Assert.Contains("never changes once defined", refused.Bilingual.English);
        var after = await _db.ResourceClasses.AsNoTracking().SingleAsync(c => c.Code == code);
        Assert.Equal((before.Terms, before.DefinedAt, before.DefinedByStateCode), (after.Terms, after.DefinedAt, after.DefinedByStateCode));
        Assert.Single(await AnnouncedAsync<ResourceClassDefined>());
    }

    [Theory]
    [InlineData("state_code")]
    [InlineData("code")]
    [InlineData("unit")]
    [InlineData("name_fr")]
    [InlineData("name_en")]
    [InlineData("metering")]
    [InlineData("consumption")]
    public async Task Bad_input_names_its_field_and_adds_nothing(string field)
    {
        var refused = await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.DefineResourceClassAsync(A100(r =>
        {
            switch (field)
            {
                case "state_code": r.StateCode = "ZZ"; break;
                case "code": r.Code = "gpu a100"; break;
                case "unit": r.Unit = ""; break;
                case "name_fr": r.NameFr = " "; break;
                case "name_en": r.NameEn = new string('x', 101); break;
                case "metering": r.Metering = V1.ResourceMetering.Unspecified; break;
                default: r.Consumption = V1.ResourceConsumption.Unspecified; break;
            }
        }), default));

        Assert.Equal(field, refused.Field);
        Assert.Equal(4, await _db.ResourceClasses.CountAsync());
        Assert.Empty(await AnnouncedAsync<ResourceClassDefined>());
    }
}
