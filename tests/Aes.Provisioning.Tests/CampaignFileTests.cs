using System.Text;
using Aes.Contracts;
using Aes.Provisioning.Application;
using Aes.Provisioning.Domain;

namespace Aes.Provisioning.Tests;

/// <summary>A campaign's file, CSV or JSON: every bad row by line and field, nothing kept from a file with one.</summary>
public sealed class CampaignFileTests
{
    private static readonly KnownAgency Ansi = new() { AgencyId = Guid.NewGuid(), StateCode = "NE", Code = "ANSI" };
    private static readonly CampaignFileContext Context = new([Ansi], [1, 2],
        [ResourceClasses.Vcpu, ResourceClasses.MemoryGib, ResourceClasses.StorageGib, ResourceClasses.PublicIpv4, "gpu_a100_80g"]);
    private const string Header = "workload,agency,classification,source_provider,source_region,data_gb,target_date,wave,vcpu,memory_gib,storage_gib,gpu_a100_80g\n";

    private static (IReadOnlyList<CampaignRow> Rows, IReadOnlyList<CampaignBadRow> Bad) Read(string format, string text) =>
        CampaignFiles.Read(format, Encoding.UTF8.GetBytes(text), Context);

    [Fact]
    public void A_good_csv_reads_every_column_and_class_including_quoted_commas()
    {
        var (rows, bad) = Read("csv", Header + "ne/ansi-0001,NE/ANSI,internal,cloud-eu,\"eu-west, Paris\",120,2027-03-31,1,2,4,50,0\n"
            + "\"ia, modèle\",ne/ansi,STRATEGIC,cloud-us,us-east,9000,2027-06-30,,16,128,500,1\n");
        Assert.Empty(bad);
        Assert.Equal(2, rows.Count);
        Assert.Equal(("eu-west, Paris", 120L, new DateOnly(2027, 3, 31), 2, 1), (rows[0].SourceRegion, rows[0].DataGb, rows[0].TargetDate, rows[0].Line, rows[0].Wave));
        Assert.Equal(ResourceVector.Of((ResourceClasses.Vcpu, 2), (ResourceClasses.MemoryGib, 4), (ResourceClasses.StorageGib, 50)), rows[0].Resources);
        Assert.Equal(("ia, modèle", Classification.Strategic, 3, 0, 1L), (rows[1].Key, rows[1].Classification, rows[1].Line, rows[1].Wave, rows[1].Resources["gpu_a100_80g"]));
    }

    [Fact]
    public void Every_bad_row_is_reported_by_line_and_field_and_nothing_is_kept()
    {
        var (rows, bad) = Read("csv", Header
            + "ok-1,NE/ANSI,internal,cloud-eu,eu-west,1,2027-03-31,1,2,4,50,0\n"      // line 2: good
            + "bad-1,NE/ANSI,internal,cloud-eu,eu-west,1,2027-03-31,1,deux,4,50,0\n"   // line 3: vcpu
            + "bad-2,ML/MEF,internal,cloud-eu,eu-west,1,2027-03-31,1,2,4,50,0\n"       // line 4: agency not in the campaign
            + "bad-3,NE/ANSI,secret,cloud-eu,eu-west,1,2027-03-31,1,2,4,50,0\n"        // line 5: classification
            + "bad-4,NE/ANSI,internal,cloud-eu,eu-west,1,31/03/2027,1,2,4,50,0\n"      // line 6: target_date
            + "bad-5,NE/ANSI,internal,cloud-eu,eu-west,1,2027-03-31,7,2,4,50,0\n"      // line 7: no wave 7
            + "ok-1,NE/ANSI,internal,cloud-eu,eu-west,1,2027-03-31,1,2,4,50,0\n"       // line 8: duplicate workload
            + "bad-6,NE/ANSI,too,few\n"                                                 // line 9: field count
            + "bad-7,NE/ANSI,internal,cloud-eu,eu-west,-1,2027-03-31,1,2,4,50,0\n");   // line 10: data_gb
        Assert.Empty(rows);
        Assert.Equal([(3, "vcpu"), (4, "agency"), (5, "classification"), (6, "target_date"), (7, "wave"), (8, "workload"), (9, "content"), (10, "data_gb")],
            bad.Select(b => (b.Line, b.Field)).Order());
        Assert.All(bad, b => Assert.False(string.IsNullOrWhiteSpace(b.ProblemFr) || string.IsNullOrWhiteSpace(b.ProblemEn)));
    }

    [Fact]
    public void A_line_break_inside_quotes_keeps_the_next_rows_on_their_own_lines()
    {
        var bad = Read("csv", Header + "\"two\nlines\",NE/ANSI,internal,cloud-eu,eu-west,1,2027-03-31,1,2,4,50,0\n"
            + "next,NE/ANSI,internal,cloud-eu,eu-west,1,2027-03-31,1,0,4,50,0\n").Bad;
        Assert.Equal([(2, "workload"), (4, "vcpu")], bad.Select(b => (b.Line, b.Field)));
    }

    [Fact]
    public void A_missing_column_or_an_empty_file_is_refused_at_line_one()
    {
        Assert.Equal([(1, "target_date")], Read("csv", "workload,agency,classification,source_provider,source_region,data_gb,vcpu,memory_gib,storage_gib\n").Bad.Select(b => (b.Line, b.Field)));
        Assert.Equal([(1, "content")], Read("csv", "").Bad.Select(b => (b.Line, b.Field)));
        Assert.Equal([(1, "content")], Read("csv", Header).Bad.Select(b => (b.Line, b.Field)));
        Assert.Equal([(1, "content")], CampaignFiles.Read("csv", [0xff, 0xfe, 0x00], Context).Bad.Select(b => (b.Line, b.Field)));
    }

    [Fact]
    public void A_json_file_reads_as_the_csv_does_and_names_bad_workloads_by_index()
    {
        var (rows, bad) = Read("json", """
            {"workloads": [
              {"workload": "a", "agency": "NE/ANSI", "classification": "public", "source_provider": "cloud-eu", "source_region": "eu-west", "data_gb": 5,
               "target_date": "2027-01-15", "wave": 2, "resources": {"vcpu": 1, "memory_gib": 2, "storage_gib": 20}}
            ]}
            """);
        Assert.Empty(bad);
        Assert.Equal(("a", 2, ResourceVector.Of((ResourceClasses.Vcpu, 1), (ResourceClasses.MemoryGib, 2), (ResourceClasses.StorageGib, 20))),
            (rows[0].Key, rows[0].Wave, rows[0].Resources));

        var refused = Read("json", """
            [{"workload": "a", "agency": "NE/ANSI", "classification": "public", "source_provider": "x", "source_region": "y", "data_gb": 5, "target_date": "2027-01-15",
              "resources": {"vcpu": 1, "memory_gib": 2, "storage_gib": 20}},
             {"workload": "b", "agency": "NE/ANSI", "classification": "public", "source_provider": "x", "source_region": "y", "data_gb": "beaucoup", "target_date": "2027-01-15",
              "resources": {"vcpu": 1.5, "memory_gib": 2, "storage_gib": 20}},
             42]
            """).Bad;
        Assert.Equal([(2, "data_gb"), (2, "vcpu"), (3, "workloads")], refused.Select(b => (b.Line, b.Field)).Order());
        Assert.Equal("content", Assert.Single(Read("json", "{\"workloads\": [").Bad).Field);
    }
}
