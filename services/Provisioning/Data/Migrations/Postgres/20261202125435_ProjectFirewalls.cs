using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ProjectFirewalls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "agency_ssh_access",
                columns: table => new
                {
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    SourceCidrs = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agency_ssh_access", x => x.AgencyId);
                });

            migrationBuilder.CreateTable(
                name: "firewall_applications",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Digest = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AppliedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_firewall_applications", x => new { x.ProjectId, x.FacilityId });
                });

            migrationBuilder.CreateTable(
                name: "project_firewalls",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    RulesJson = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_project_firewalls", x => x.ProjectId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agency_ssh_access");

            migrationBuilder.DropTable(
                name: "firewall_applications");

            migrationBuilder.DropTable(
                name: "project_firewalls");
        }
    }
}
