using System.Text.Json;
using System.Text.Json.Nodes;
using Aes.Portal.Api;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.Portal.Tests;

public sealed class ProtoJsonTests
{
    [Fact]
    public void Numbers_stay_numbers_enums_are_short_names_and_what_is_written_reads_back_the_same()
    {
        var pool = new Q.Pool
        {
            Id = "p1", Name = "général",
            Inventories = { new Q.Inventory { ResourceClass = "memory_gib", Total = 9_007_199_254_740_000, AllocationRatio = "1.5" } },
        };
        var json = Write(pool);
        var inventory = JsonNode.Parse(json)!["inventories"]![0]!;
        Assert.Equal(JsonValueKind.Number, inventory["total"]!.GetValueKind());
        Assert.Equal("memory_gib", inventory["resourceClass"]!.GetValue<string>());

        Assert.Contains("\"name\":\"général\"", json);
        var read = new Q.Pool();
        ProtoJson.Read(JsonNode.Parse(json)!.AsObject(), read);
        Assert.Equal(pool, read);
    }

    [Fact]
    public void The_caller_is_never_read_from_the_body_nor_written()
    {
        var request = new Q.CreatePoolRequest { ActorUserId = "someone", FacilityId = "f" };
        Assert.DoesNotContain("actor", Write(request), StringComparison.OrdinalIgnoreCase);
        var error = Assert.Throws<ProtoJsonException>(() => ProtoJson.Read(JsonNode.Parse("""{"actorUserId":"x"}""")!.AsObject(), new Q.CreatePoolRequest()));
        Assert.Equal("actorUserId", error.Field);
    }

    [Theory]
    [InlineData("""{"amountsByClass":[{"resourceClass":"vcpu","amount":"four"}]}""", "amountsByClass[0].amount")]
    [InlineData("""{"amountsByClass":[{"resourceClass":"vcpu","amount":1e30}]}""", "amountsByClass[0].amount")]
    [InlineData("""{"amountsByClass":{"vcpu":2}}""", "amountsByClass")]
    [InlineData("""{"amounts":{"vcpu":2}}""", "amounts")]
    [InlineData("""{"expiresAt":"hier"}""", "expiresAt")]
    [InlineData("""{"colour":"blue"}""", "colour")]
    [InlineData("""{"amounts":[]}""", "amounts")]
    public void A_bad_value_is_refused_with_its_field_in_french_and_english(string body, string field)
    {
        var error = Assert.Throws<ProtoJsonException>(() => ProtoJson.Read(JsonNode.Parse(body)!.AsObject(), new Q.HoldRequest()));
        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.French);
        Assert.NotEqual(error.French, error.Message);
    }

    [Fact]
    public void An_unknown_enum_value_lists_the_choices_and_a_class_is_read_as_its_code()
    {
        var listing = new Q.ListQuotaChangeRequestsRequest();
        var error = Assert.Throws<ProtoJsonException>(() => ProtoJson.ReadText(listing, Q.ListQuotaChangeRequestsRequest.Descriptor.FindFieldByName("status"), "maybe"));
        Assert.Equal("status", error.Field);
        Assert.Contains("pending, approved, rejected", error.Message);
        var request = new Q.SetInventoryRequest();
        ProtoJson.ReadText(request, Q.SetInventoryRequest.Descriptor.FindFieldByName("total"), "64");
        ProtoJson.ReadText(request, Q.SetInventoryRequest.Descriptor.FindFieldByName("resource_class"), "public_ipv4");
        Assert.Equal((64L, "public_ipv4"), (request.Total, request.ResourceClass));
    }

    [Fact]
    public void Timestamps_are_rfc_3339_in_utc()
    {
        var claim = new Q.Claim { ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2026, 11, 24, 6, 30, 0, DateTimeKind.Utc)) };
        Assert.Contains("\"expiresAt\":\"2026-11-24T06:30:00Z\"", Write(claim));
    }

    private static string Write(Google.Protobuf.IMessage message) => ProtoJson.ToJson(message);

    [Theory]
    [InlineData("""{"a":1,"a":2}""", "a")]
    [InlineData("""{"vms":[{"count":1},{"count":1,"count":2}]}""", "vms[1].count")]
    [InlineData("""{"slice":{"vcpu":1,"memoryGib":2,"vcpu":3}}""", "slice.vcpu")]
    [InlineData("""{"a":[1,2,{"b":1}],"c":{"b":1},"b":2}""", null)]
    public void A_key_given_twice_is_found_by_its_path(string json, string? expected) =>
        Assert.Equal(expected, Aes.Portal.Api.RpcEndpoints.DuplicateKey(System.Text.Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("slice.memory_gib", "slice.memoryGib")]
    [InlineData("vms[0].disk_gib", "vms[0].diskGib")]
    [InlineData("agency_id", "agencyId")]
    [InlineData("classification", "classification")]
    public void A_services_field_is_named_by_its_json_name(string field, string json) =>
        Assert.Equal(json, Aes.Portal.Api.ApiProblems.JsonPath(field));
}
