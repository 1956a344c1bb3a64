using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Aes.Quota.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ResourceClassCodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Classes by code: 1 to 4 were the standard four, in this order. Written as text before the tables are rebuilt
            // with a text column, and read as text, so the order of the two does not matter.
            migrationBuilder.Sql("UPDATE agency_allocations SET \"Class\" = CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE \"Class\" END;");
            migrationBuilder.Sql("UPDATE agreement_slices SET \"Class\" = CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE \"Class\" END;");
            migrationBuilder.Sql("UPDATE pool_inventories SET \"Class\" = CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE \"Class\" END;");
            migrationBuilder.Sql("UPDATE quota_change_requests SET \"Class\" = CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE \"Class\" END;");
            migrationBuilder.Sql("UPDATE quota_history SET \"Class\" = CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE \"Class\" END;");
            migrationBuilder.Sql("UPDATE state_quota_defaults SET \"Class\" = CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE \"Class\" END;");
            migrationBuilder.AlterColumn<string>(
                name: "Class",
                table: "agency_allocations",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                oldClrType: typeof(int),
                oldType: "INTEGER");
            migrationBuilder.AlterColumn<string>(
                name: "Class",
                table: "agreement_slices",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                oldClrType: typeof(int),
                oldType: "INTEGER");
            migrationBuilder.AlterColumn<string>(
                name: "Class",
                table: "pool_inventories",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                oldClrType: typeof(int),
                oldType: "INTEGER");
            migrationBuilder.AlterColumn<string>(
                name: "Class",
                table: "quota_change_requests",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                oldClrType: typeof(int),
                oldType: "INTEGER");
            migrationBuilder.AlterColumn<string>(
                name: "Class",
                table: "quota_history",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                oldClrType: typeof(int),
                oldType: "INTEGER");
            migrationBuilder.AlterColumn<string>(
                name: "Class",
                table: "state_quota_defaults",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                oldClrType: typeof(int),
                oldType: "INTEGER");

            // A claim keeps its amounts as one value, the non-zero classes in code order.
            migrationBuilder.Sql("ALTER TABLE claims ADD COLUMN \"Amounts\" TEXT NOT NULL DEFAULT '';");
            migrationBuilder.Sql("UPDATE claims SET \"Amounts\" = '{' || rtrim(coalesce(CASE WHEN \"MemoryGib\" <> 0 THEN '\"memory_gib\":' || \"MemoryGib\" || ',' END, '') || coalesce(CASE WHEN \"PublicIpv4\" <> 0 THEN '\"public_ipv4\":' || \"PublicIpv4\" || ',' END, '') || coalesce(CASE WHEN \"StorageGib\" <> 0 THEN '\"storage_gib\":' || \"StorageGib\" || ',' END, '') || coalesce(CASE WHEN \"Vcpu\" <> 0 THEN '\"vcpu\":' || \"Vcpu\" || ',' END, ''), ',') || '}';");
            migrationBuilder.Sql("ALTER TABLE claims DROP COLUMN \"MemoryGib\";");
            migrationBuilder.Sql("ALTER TABLE claims DROP COLUMN \"PublicIpv4\";");
            migrationBuilder.Sql("ALTER TABLE claims DROP COLUMN \"StorageGib\";");
            migrationBuilder.Sql("ALTER TABLE claims DROP COLUMN \"Vcpu\";");

            migrationBuilder.CreateTable(
                name: "known_resource_classes",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Unit = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DefinedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_resource_classes", x => x.Code);
                });

            migrationBuilder.InsertData(
                table: "known_resource_classes",
                columns: new[] { "Code", "DefinedAt", "Unit" },
                values: new object[,]
                {
                    { "memory_gib", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "gib" },
                    { "public_ipv4", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "ipv4" },
                    { "storage_gib", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "gib" },
                    { "vcpu", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "vcpu" }
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            // Classes beyond the four have no integer to go back to, and a claim's amounts no four columns: going back
            // is restoring the backup taken before the upgrade (README, Deploying).
            throw new NotSupportedException("ResourceClassCodes cannot be undone: restore the database from before the upgrade.");
    }
}
