using Aes.Messaging.Persistence;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Aes.Billing.Data.Migrations;

/// <summary>
/// The migration ByClass, the same on PostgreSQL and SQLite (ADR 043): a catalogue's and an agreement's prices, a usage
/// event's sizes and a usage period's size move from four columns each to one value by class (the compact JSON
/// ResourceVector writes), and an invoice line's resource from the number of a four-member enum to the class's code.
/// Converted in place, in the migration's transaction; amounts do not change, so issued invoices read as they did.
/// </summary>
internal static class ByClassConversion
{
    public static void Up(MigrationBuilder migrationBuilder)
    {
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "price_catalogues", "UnitPrices", ("memory_gib", "Prices_MemoryGibHourXof"),
            ("public_ipv4", "Prices_PublicIpv4MonthXof"), ("storage_gib", "Prices_StorageGibMonthXof"), ("vcpu", "Prices_VcpuHourXof"));
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "known_agreements", "UnitPrices", ("memory_gib", "Prices_MemoryGibHourXof"),
            ("public_ipv4", "Prices_PublicIpv4MonthXof"), ("storage_gib", "Prices_StorageGibMonthXof"), ("vcpu", "Prices_VcpuHourXof"));
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "usage_events", "Size", ("memory_gib", "Size_MemoryGib"),
            ("public_ipv4", "Size_PublicIpv4"), ("storage_gib", "Size_StorageGib"), ("vcpu", "Size_Vcpu"));
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "usage_events", "OldSize", ("memory_gib", "OldSize_MemoryGib"),
            ("public_ipv4", "OldSize_PublicIpv4"), ("storage_gib", "OldSize_StorageGib"), ("vcpu", "OldSize_Vcpu"));
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "usage_segments", "Size", ("memory_gib", "Size_MemoryGib"),
            ("public_ipv4", "Size_PublicIpv4"), ("storage_gib", "Size_StorageGib"), ("vcpu", "Size_Vcpu"));

        // The enum was Vcpu = 1, Memory = 2, Storage = 3, PublicIpv4 = 4.
        migrationBuilder.AddColumn<string>(name: "ResourceClass", table: "invoice_lines", maxLength: 40, nullable: false, defaultValue: "");
        migrationBuilder.Sql("""
            UPDATE "invoice_lines" SET "ResourceClass" = CASE "Resource" WHEN 1 THEN 'vcpu' WHEN 2 THEN 'memory_gib' WHEN 3 THEN 'storage_gib' WHEN 4 THEN 'public_ipv4' END;
            """);
        migrationBuilder.Sql("ALTER TABLE \"invoice_lines\" DROP COLUMN \"Resource\";");
    }
}
