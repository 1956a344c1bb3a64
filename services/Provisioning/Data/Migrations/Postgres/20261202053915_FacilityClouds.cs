using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FacilityClouds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Addresses",
                table: "vms",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "BuildDeadline",
                table: "vms",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LostAt",
                table: "vms",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ResizeAskedAt",
                table: "vms",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ServerId",
                table: "vms",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "facility_catalogue_states",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    AnySize = table.Column<bool>(type: "boolean", nullable: false),
                    RefreshedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RefreshErrorFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    RefreshErrorEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_catalogue_states", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "facility_connections",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Driver = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    AuthUrl = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Region = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Project = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ProjectDomain = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CredentialReference = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Network = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_connections", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "facility_flavours",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    NativeId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NativeName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Vcpu = table.Column<long>(type: "bigint", nullable: false),
                    MemoryGib = table.Column<long>(type: "bigint", nullable: false),
                    DiskGib = table.Column<long>(type: "bigint", nullable: false),
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Present = table.Column<bool>(type: "boolean", nullable: false),
                    SeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_flavours", x => new { x.FacilityId, x.NativeId });
                });

            migrationBuilder.CreateTable(
                name: "facility_images",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    NativeId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NativeName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Present = table.Column<bool>(type: "boolean", nullable: false),
                    SeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_images", x => new { x.FacilityId, x.NativeId });
                });

            migrationBuilder.CreateTable(
                name: "facility_outages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CauseFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    CauseEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_outages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "facility_watches",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    Since = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastProbeAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastCatalogueAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastReconcileAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastReachable = table.Column<bool>(type: "boolean", nullable: false),
                    LastLatencyMs = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_watches", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "reconciliation_findings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: true),
                    ServerId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: true),
                    DetailFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    DetailEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    FoundAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ClearedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reconciliation_findings", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_vms_FacilityId_Status",
                table: "vms",
                columns: new[] { "FacilityId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_facility_outages_FacilityId_StartedAt",
                table: "facility_outages",
                columns: new[] { "FacilityId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_reconciliation_findings_FacilityId_ClearedAt",
                table: "reconciliation_findings",
                columns: new[] { "FacilityId", "ClearedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "facility_catalogue_states");

            migrationBuilder.DropTable(
                name: "facility_connections");

            migrationBuilder.DropTable(
                name: "facility_flavours");

            migrationBuilder.DropTable(
                name: "facility_images");

            migrationBuilder.DropTable(
                name: "facility_outages");

            migrationBuilder.DropTable(
                name: "facility_watches");

            migrationBuilder.DropTable(
                name: "reconciliation_findings");

            migrationBuilder.DropIndex(
                name: "IX_vms_FacilityId_Status",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "Addresses",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "BuildDeadline",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "LostAt",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "ResizeAskedAt",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "ServerId",
                table: "vms");
        }
    }
}
