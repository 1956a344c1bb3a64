using System;
using Aes.Quota.Application;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Aes.Quota.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ResourceClassCodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The functions of the baseline name the four columns of claims, and the 13-argument form kept on carried
            // databases (ADR 014) calls them: they go first, the new ones come last.
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS quota_hold_batch(uuid[], uuid[], uuid[], uuid[], uuid[], text[], bigint[], timestamptz[], text[], timestamptz[], uuid[], text[], text[], text[]);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS quota_hold(uuid, uuid, uuid, uuid, uuid, text, bigint[], timestamptz, text, timestamptz, uuid, text, text, text);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS quota_hold(uuid, uuid, uuid, uuid, uuid, text, bigint[], timestamptz, text, timestamptz, uuid, text, text);");

            // Classes by code: 1 to 4 were the standard four, in this order.
            migrationBuilder.Sql("ALTER TABLE agency_allocations ALTER COLUMN \"Class\" TYPE character varying(40) USING (CASE \"Class\" WHEN 1 THEN 'vcpu' WHEN 2 THEN 'memory_gib' WHEN 3 THEN 'storage_gib' WHEN 4 THEN 'public_ipv4' END);");
            migrationBuilder.Sql("ALTER TABLE agreement_slices ALTER COLUMN \"Class\" TYPE character varying(40) USING (CASE \"Class\" WHEN 1 THEN 'vcpu' WHEN 2 THEN 'memory_gib' WHEN 3 THEN 'storage_gib' WHEN 4 THEN 'public_ipv4' END);");
            migrationBuilder.Sql("ALTER TABLE pool_inventories ALTER COLUMN \"Class\" TYPE character varying(40) USING (CASE \"Class\" WHEN 1 THEN 'vcpu' WHEN 2 THEN 'memory_gib' WHEN 3 THEN 'storage_gib' WHEN 4 THEN 'public_ipv4' END);");
            migrationBuilder.Sql("ALTER TABLE quota_change_requests ALTER COLUMN \"Class\" TYPE character varying(40) USING (CASE \"Class\" WHEN 1 THEN 'vcpu' WHEN 2 THEN 'memory_gib' WHEN 3 THEN 'storage_gib' WHEN 4 THEN 'public_ipv4' END);");
            migrationBuilder.Sql("ALTER TABLE quota_history ALTER COLUMN \"Class\" TYPE character varying(40) USING (CASE \"Class\" WHEN 1 THEN 'vcpu' WHEN 2 THEN 'memory_gib' WHEN 3 THEN 'storage_gib' WHEN 4 THEN 'public_ipv4' END);");
            migrationBuilder.Sql("ALTER TABLE state_quota_defaults ALTER COLUMN \"Class\" TYPE character varying(40) USING (CASE \"Class\" WHEN 1 THEN 'vcpu' WHEN 2 THEN 'memory_gib' WHEN 3 THEN 'storage_gib' WHEN 4 THEN 'public_ipv4' END);");

            // A claim keeps its amounts as one value, the non-zero classes in code order.
            migrationBuilder.AlterColumn<string>(
                name: "RefusedClass",
                table: "claims",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(16)",
                oldMaxLength: 16,
                oldNullable: true);
            migrationBuilder.AddColumn<string>(
                name: "Amounts",
                table: "claims",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                defaultValue: "");
            migrationBuilder.Sql("UPDATE claims SET \"Amounts\" = '{' || rtrim(coalesce(CASE WHEN \"MemoryGib\" <> 0 THEN '\"memory_gib\":' || \"MemoryGib\" || ',' END, '') || coalesce(CASE WHEN \"PublicIpv4\" <> 0 THEN '\"public_ipv4\":' || \"PublicIpv4\" || ',' END, '') || coalesce(CASE WHEN \"StorageGib\" <> 0 THEN '\"storage_gib\":' || \"StorageGib\" || ',' END, '') || coalesce(CASE WHEN \"Vcpu\" <> 0 THEN '\"vcpu\":' || \"Vcpu\" || ',' END, ''), ',') || '}';");
            migrationBuilder.DropColumn(name: "MemoryGib", table: "claims");
            migrationBuilder.DropColumn(name: "PublicIpv4", table: "claims");
            migrationBuilder.DropColumn(name: "StorageGib", table: "claims");
            migrationBuilder.DropColumn(name: "Vcpu", table: "claims");

            migrationBuilder.CreateTable(
                name: "known_resource_classes",
                columns: table => new
                {
                    Code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Unit = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    DefinedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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

            migrationBuilder.Sql(PostgresHold.FunctionSql);
            migrationBuilder.Sql(PostgresHold.BatchFunctionSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            // Classes beyond the four have no integer to go back to, and a claim's amounts no four columns: going back
            // is restoring the backup taken before the upgrade (README, Deploying).
            throw new NotSupportedException("ResourceClassCodes cannot be undone: restore the database from before the upgrade.");
    }
}
