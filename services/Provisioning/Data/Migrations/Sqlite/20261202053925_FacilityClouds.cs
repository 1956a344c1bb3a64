using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "BuildDeadline",
                table: "vms",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LostAt",
                table: "vms",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ResizeAskedAt",
                table: "vms",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ServerId",
                table: "vms",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "facility_catalogue_states",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AnySize = table.Column<bool>(type: "INTEGER", nullable: false),
                    RefreshedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RefreshErrorFr = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    RefreshErrorEn = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_catalogue_states", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "facility_connections",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FacilityCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Driver = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    AuthUrl = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Region = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Project = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ProjectDomain = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CredentialReference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Network = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_connections", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "facility_flavours",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    NativeId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    NativeName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Vcpu = table.Column<long>(type: "INTEGER", nullable: false),
                    MemoryGib = table.Column<long>(type: "INTEGER", nullable: false),
                    DiskGib = table.Column<long>(type: "INTEGER", nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Present = table.Column<bool>(type: "INTEGER", nullable: false),
                    SeenAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_flavours", x => new { x.FacilityId, x.NativeId });
                });

            migrationBuilder.CreateTable(
                name: "facility_images",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    NativeId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    NativeName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Present = table.Column<bool>(type: "INTEGER", nullable: false),
                    SeenAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_images", x => new { x.FacilityId, x.NativeId });
                });

            migrationBuilder.CreateTable(
                name: "facility_outages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CauseFr = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    CauseEn = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_outages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "facility_watches",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Since = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastProbeAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastCatalogueAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastReconcileAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastReachable = table.Column<bool>(type: "INTEGER", nullable: false),
                    LastLatencyMs = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_facility_watches", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "reconciliation_findings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FacilityCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    VmId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ServerId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DetailFr = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    DetailEn = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    FoundAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ClearedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
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
