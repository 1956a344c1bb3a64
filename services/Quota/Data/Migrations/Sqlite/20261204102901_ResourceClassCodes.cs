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
            // Classes by code: 1 to 4 were the standard four, in this order. Each table is rebuilt by hand with a text
            // column, converting as it copies: EF's own rebuild for AlterColumn turns foreign keys off first, which
            // cannot happen inside the migration's transaction, so a crash there would leave it half done. No table
            // refers to these six, so they can be dropped and renamed with foreign keys on, all in the one transaction.
            migrationBuilder.Sql("CREATE TABLE \"ef_temp_agency_allocations\" (\"AgencyId\" TEXT NOT NULL, \"Class\" TEXT NOT NULL, \"Limit\" INTEGER NOT NULL, \"Overridden\" INTEGER NOT NULL, \"StateCode\" TEXT NOT NULL, \"Used\" INTEGER NOT NULL, CONSTRAINT \"PK_agency_allocations\" PRIMARY KEY (\"AgencyId\", \"Class\"));");
            migrationBuilder.Sql("INSERT INTO \"ef_temp_agency_allocations\" (\"AgencyId\", \"Class\", \"Limit\", \"Overridden\", \"StateCode\", \"Used\") SELECT \"AgencyId\", CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE CAST(\"Class\" AS TEXT) END, \"Limit\", \"Overridden\", \"StateCode\", \"Used\" FROM \"agency_allocations\";");
            migrationBuilder.Sql("DROP TABLE \"agency_allocations\";");
            migrationBuilder.Sql("ALTER TABLE \"ef_temp_agency_allocations\" RENAME TO \"agency_allocations\";");
            migrationBuilder.Sql("CREATE INDEX \"IX_agency_allocations_StateCode_Class\" ON \"agency_allocations\" (\"StateCode\", \"Class\");");
            migrationBuilder.Sql("CREATE TABLE \"ef_temp_agreement_slices\" (\"AgreementId\" TEXT NOT NULL, \"Class\" TEXT NOT NULL, \"Limit\" INTEGER NOT NULL, \"Used\" INTEGER NOT NULL, CONSTRAINT \"PK_agreement_slices\" PRIMARY KEY (\"AgreementId\", \"Class\"));");
            migrationBuilder.Sql("INSERT INTO \"ef_temp_agreement_slices\" (\"AgreementId\", \"Class\", \"Limit\", \"Used\") SELECT \"AgreementId\", CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE CAST(\"Class\" AS TEXT) END, \"Limit\", \"Used\" FROM \"agreement_slices\";");
            migrationBuilder.Sql("DROP TABLE \"agreement_slices\";");
            migrationBuilder.Sql("ALTER TABLE \"ef_temp_agreement_slices\" RENAME TO \"agreement_slices\";");
            migrationBuilder.Sql("CREATE TABLE \"ef_temp_pool_inventories\" (\"PoolId\" TEXT NOT NULL, \"Class\" TEXT NOT NULL, \"AllocationRatio\" TEXT NOT NULL, \"Capacity\" INTEGER NOT NULL, \"Reserved\" INTEGER NOT NULL, \"Total\" INTEGER NOT NULL, \"Used\" INTEGER NOT NULL, CONSTRAINT \"PK_pool_inventories\" PRIMARY KEY (\"PoolId\", \"Class\"), CONSTRAINT \"FK_pool_inventories_pools_PoolId\" FOREIGN KEY (\"PoolId\") REFERENCES \"pools\" (\"Id\") ON DELETE CASCADE);");
            migrationBuilder.Sql("INSERT INTO \"ef_temp_pool_inventories\" (\"PoolId\", \"Class\", \"AllocationRatio\", \"Capacity\", \"Reserved\", \"Total\", \"Used\") SELECT \"PoolId\", CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE CAST(\"Class\" AS TEXT) END, \"AllocationRatio\", \"Capacity\", \"Reserved\", \"Total\", \"Used\" FROM \"pool_inventories\";");
            migrationBuilder.Sql("DROP TABLE \"pool_inventories\";");
            migrationBuilder.Sql("ALTER TABLE \"ef_temp_pool_inventories\" RENAME TO \"pool_inventories\";");
            migrationBuilder.Sql("CREATE TABLE \"ef_temp_quota_change_requests\" (\"Id\" TEXT NOT NULL CONSTRAINT \"PK_quota_change_requests\" PRIMARY KEY, \"AgencyId\" TEXT NOT NULL, \"Class\" TEXT NOT NULL, \"CurrentLimit\" INTEGER NOT NULL, \"DecidedAt\" TEXT NULL, \"DecidedBy\" TEXT NULL, \"DecisionReason\" TEXT NULL, \"Justification\" TEXT NOT NULL, \"RequestedAt\" TEXT NOT NULL, \"RequestedBy\" TEXT NOT NULL, \"RequestedLimit\" INTEGER NOT NULL, \"StateCode\" TEXT NOT NULL, \"Status\" INTEGER NOT NULL, \"Version\" INTEGER NOT NULL);");
            migrationBuilder.Sql("INSERT INTO \"ef_temp_quota_change_requests\" (\"Id\", \"AgencyId\", \"Class\", \"CurrentLimit\", \"DecidedAt\", \"DecidedBy\", \"DecisionReason\", \"Justification\", \"RequestedAt\", \"RequestedBy\", \"RequestedLimit\", \"StateCode\", \"Status\", \"Version\") SELECT \"Id\", \"AgencyId\", CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE CAST(\"Class\" AS TEXT) END, \"CurrentLimit\", \"DecidedAt\", \"DecidedBy\", \"DecisionReason\", \"Justification\", \"RequestedAt\", \"RequestedBy\", \"RequestedLimit\", \"StateCode\", \"Status\", \"Version\" FROM \"quota_change_requests\";");
            migrationBuilder.Sql("DROP TABLE \"quota_change_requests\";");
            migrationBuilder.Sql("ALTER TABLE \"ef_temp_quota_change_requests\" RENAME TO \"quota_change_requests\";");
            migrationBuilder.Sql("CREATE INDEX \"IX_quota_change_requests_AgencyId_Status\" ON \"quota_change_requests\" (\"AgencyId\", \"Status\");");
            migrationBuilder.Sql("CREATE TABLE \"ef_temp_quota_history\" (\"Id\" INTEGER NOT NULL CONSTRAINT \"PK_quota_history\" PRIMARY KEY AUTOINCREMENT, \"AgencyId\" TEXT NOT NULL, \"ChangeRequestId\" TEXT NULL, \"ChangedAt\" TEXT NOT NULL, \"ChangedBy\" TEXT NULL, \"Class\" TEXT NOT NULL, \"NewLimit\" INTEGER NOT NULL, \"OldLimit\" INTEGER NOT NULL);");
            migrationBuilder.Sql("INSERT INTO \"ef_temp_quota_history\" (\"Id\", \"AgencyId\", \"ChangeRequestId\", \"ChangedAt\", \"ChangedBy\", \"Class\", \"NewLimit\", \"OldLimit\") SELECT \"Id\", \"AgencyId\", \"ChangeRequestId\", \"ChangedAt\", \"ChangedBy\", CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE CAST(\"Class\" AS TEXT) END, \"NewLimit\", \"OldLimit\" FROM \"quota_history\";");
            migrationBuilder.Sql("DROP TABLE \"quota_history\";");
            migrationBuilder.Sql("ALTER TABLE \"ef_temp_quota_history\" RENAME TO \"quota_history\";");
            migrationBuilder.Sql("CREATE INDEX \"IX_quota_history_AgencyId\" ON \"quota_history\" (\"AgencyId\");");
            migrationBuilder.Sql("CREATE TABLE \"ef_temp_state_quota_defaults\" (\"StateCode\" TEXT NOT NULL, \"Class\" TEXT NOT NULL, \"Limit\" INTEGER NOT NULL, CONSTRAINT \"PK_state_quota_defaults\" PRIMARY KEY (\"StateCode\", \"Class\"));");
            migrationBuilder.Sql("INSERT INTO \"ef_temp_state_quota_defaults\" (\"StateCode\", \"Class\", \"Limit\") SELECT \"StateCode\", CASE CAST(\"Class\" AS TEXT) WHEN '1' THEN 'vcpu' WHEN '2' THEN 'memory_gib' WHEN '3' THEN 'storage_gib' WHEN '4' THEN 'public_ipv4' ELSE CAST(\"Class\" AS TEXT) END, \"Limit\" FROM \"state_quota_defaults\";");
            migrationBuilder.Sql("DROP TABLE \"state_quota_defaults\";");
            migrationBuilder.Sql("ALTER TABLE \"ef_temp_state_quota_defaults\" RENAME TO \"state_quota_defaults\";");

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
