using Microsoft.EntityFrameworkCore.Migrations;

namespace Aes.Provisioning.Data.Migrations;

/// <summary>
/// The migration PricesByClass, the same on PostgreSQL and SQLite (ADR 043): the list prices and agreed prices placement
/// ranks by move from four columns each to one value by class, as billing keeps them, converted in place.
/// </summary>
internal static class PricesByClassConversion
{
    public static void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "agreements_in_force", "known_prices" })
        {
            ResourceVectorColumns.FoldIntoOne(migrationBuilder, table, "UnitPrices", ("memory_gib", "Prices_MemoryGibHourXof"),
                ("public_ipv4", "Prices_PublicIpv4MonthXof"), ("storage_gib", "Prices_StorageGibMonthXof"), ("vcpu", "Prices_VcpuHourXof"));
        }
    }
}
