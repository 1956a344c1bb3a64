using Microsoft.EntityFrameworkCore.Migrations;

namespace Aes.Tenancy.Data.Migrations;

/// <summary>
/// The migration AmountsByClass, the same on PostgreSQL and SQLite: a facility's installed capacity, an agreement's slice and
/// its fixed prices move from four columns each to one value by class (the compact JSON ResourceVector writes: classes in
/// ordinal order, zeros left out), converted in place, then the four columns go. Written by hand: EF's SQLite rebuild would
/// turn foreign keys off outside the migration's transaction.
/// </summary>
internal static class AmountsByClassConversion
{
    public static void Up(MigrationBuilder migrationBuilder)
    {
        Convert(migrationBuilder, "Facilities", "InstalledCapacity", ("memory_gib", "InstalledCapacity_MemoryGib"),
            ("public_ipv4", "InstalledCapacity_PublicIpv4"), ("storage_gib", "InstalledCapacity_StorageGib"), ("vcpu", "InstalledCapacity_Vcpu"));
        Convert(migrationBuilder, "Agreements", "Slice", ("memory_gib", "Slice_MemoryGib"),
            ("public_ipv4", "Slice_PublicIpv4"), ("storage_gib", "Slice_StorageGib"), ("vcpu", "Slice_Vcpu"));
        Convert(migrationBuilder, "Agreements", "PriceTerms_UnitPricesXof", ("memory_gib", "PriceTerms_MemoryGibHourXof"),
            ("public_ipv4", "PriceTerms_PublicIpv4MonthXof"), ("storage_gib", "PriceTerms_StorageGibMonthXof"), ("vcpu", "PriceTerms_VcpuHourXof"));
    }

    /// <param name="columns">The class codes in ordinal order, each with the column it comes from.</param>
    private static void Convert(MigrationBuilder migrationBuilder, string table, string target, params (string Class, string Column)[] columns)
    {
        migrationBuilder.AddColumn<string>(name: target, table: table, maxLength: 4000, nullable: false, defaultValue: "");
        var members = string.Join(" || ", columns.Select(c => $"COALESCE('\"{c.Class}\":' || NULLIF(\"{c.Column}\", 0) || ',', '')"));
        migrationBuilder.Sql($"UPDATE \"{table}\" SET \"{target}\" = '{{' || rtrim({members}, ',') || '}}';");
        foreach (var (_, column) in columns)
        {
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" DROP COLUMN \"{column}\";");
        }
    }
}
