using Aes.Messaging.Persistence;
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
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "Facilities", "InstalledCapacity", ("memory_gib", "InstalledCapacity_MemoryGib"),
            ("public_ipv4", "InstalledCapacity_PublicIpv4"), ("storage_gib", "InstalledCapacity_StorageGib"), ("vcpu", "InstalledCapacity_Vcpu"));
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "Agreements", "Slice", ("memory_gib", "Slice_MemoryGib"),
            ("public_ipv4", "Slice_PublicIpv4"), ("storage_gib", "Slice_StorageGib"), ("vcpu", "Slice_Vcpu"));
        ResourceVectorColumns.FoldIntoOne(migrationBuilder, "Agreements", "PriceTerms_UnitPricesXof", ("memory_gib", "PriceTerms_MemoryGibHourXof"),
            ("public_ipv4", "PriceTerms_PublicIpv4MonthXof"), ("storage_gib", "PriceTerms_StorageGibMonthXof"), ("vcpu", "PriceTerms_VcpuHourXof"));
    }
}
