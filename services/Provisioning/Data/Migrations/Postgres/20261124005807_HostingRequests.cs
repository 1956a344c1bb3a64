using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class HostingRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "FacilityListPrice",
                table: "agreements_in_force",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "Prices_MemoryGibHourXof",
                table: "agreements_in_force",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "Prices_PublicIpv4MonthXof",
                table: "agreements_in_force",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "Prices_StorageGibMonthXof",
                table: "agreements_in_force",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "Prices_VcpuHourXof",
                table: "agreements_in_force",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "auto_approval_policies",
                columns: table => new
                {
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    MaxVcpu = table.Column<long>(type: "bigint", nullable: false),
                    Classifications = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_auto_approval_policies", x => x.StateCode);
                });

            migrationBuilder.CreateTable(
                name: "hosting_requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    SubmittedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    Classification = table.Column<int>(type: "integer", nullable: false),
                    PreferredStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    PreferredFacilityId = table.Column<Guid>(type: "uuid", nullable: true),
                    Justification = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Deadline = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    VmLinesJson = table.Column<string>(type: "text", nullable: false),
                    TotalVcpu = table.Column<long>(type: "bigint", nullable: false),
                    TotalMemoryGib = table.Column<long>(type: "bigint", nullable: false),
                    TotalDiskGib = table.Column<long>(type: "bigint", nullable: false),
                    TotalPublicIpv4 = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    StatusReasonFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    StatusReasonEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: true),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FacilityStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    PoolId = table.Column<Guid>(type: "uuid", nullable: true),
                    AgreementId = table.Column<Guid>(type: "uuid", nullable: true),
                    HoldsExpireAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PlacementAttempts = table.Column<int>(type: "integer", nullable: false),
                    HomeApproval = table.Column<int>(type: "integer", nullable: false),
                    HomeDecidedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    HomeAutomatic = table.Column<bool>(type: "boolean", nullable: false),
                    HomeDecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    HostApproval = table.Column<int>(type: "integer", nullable: false),
                    HostDecidedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    HostAutomatic = table.Column<bool>(type: "boolean", nullable: false),
                    HostDecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RejectionReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CleanupPending = table.Column<bool>(type: "boolean", nullable: false),
                    NextStepAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LeasedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    SubmittedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hosting_requests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "known_agencies",
                columns: table => new
                {
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_agencies", x => x.AgencyId);
                });

            migrationBuilder.CreateTable(
                name: "known_facilities",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_facilities", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "known_prices",
                columns: table => new
                {
                    CatalogueId = table.Column<Guid>(type: "uuid", nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: false),
                    From = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Prices_MemoryGibHourXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_PublicIpv4MonthXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_StorageGibMonthXof = table.Column<long>(type: "bigint", nullable: false),
                    Prices_VcpuHourXof = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_prices", x => x.CatalogueId);
                });

            migrationBuilder.CreateTable(
                name: "known_projects",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_projects", x => x.ProjectId);
                });

            migrationBuilder.CreateTable(
                name: "known_roles",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_roles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "placement_decisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    Attempt = table.Column<int>(type: "integer", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: true),
                    PoolId = table.Column<Guid>(type: "uuid", nullable: true),
                    AgreementId = table.Column<Guid>(type: "uuid", nullable: true),
                    ReasonFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    ReasonEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    ConsideredJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_placement_decisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "vms",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Name = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    Flavour = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Vcpu = table.Column<long>(type: "bigint", nullable: false),
                    MemoryGib = table.Column<long>(type: "bigint", nullable: false),
                    DiskGib = table.Column<long>(type: "bigint", nullable: false),
                    PublicIpv4 = table.Column<bool>(type: "boolean", nullable: false),
                    Image = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    ClaimId = table.Column<Guid>(type: "uuid", nullable: true),
                    FacilityId = table.Column<Guid>(type: "uuid", nullable: true),
                    FacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FacilityStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    ActivatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DecommissionedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DecommissionReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    TargetVcpu = table.Column<long>(type: "bigint", nullable: true),
                    TargetMemoryGib = table.Column<long>(type: "bigint", nullable: true),
                    TargetDiskGib = table.Column<long>(type: "bigint", nullable: true),
                    ResizeGrown = table.Column<bool>(type: "boolean", nullable: false),
                    ResizeRefusedReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vms", x => x.Id);
                    table.ForeignKey(
                        name: "FK_vms_hosting_requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "hosting_requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_hosting_requests_AgencyId_Status",
                table: "hosting_requests",
                columns: new[] { "AgencyId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_hosting_requests_NextStepAt",
                table: "hosting_requests",
                column: "NextStepAt");

            migrationBuilder.CreateIndex(
                name: "IX_hosting_requests_Status_SubmittedAt",
                table: "hosting_requests",
                columns: new[] { "Status", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_known_prices_FacilityId",
                table: "known_prices",
                column: "FacilityId");

            migrationBuilder.CreateIndex(
                name: "IX_known_roles_UserId",
                table: "known_roles",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_placement_decisions_RequestId_Attempt",
                table: "placement_decisions",
                columns: new[] { "RequestId", "Attempt" });

            migrationBuilder.CreateIndex(
                name: "IX_vms_AgencyId_Status",
                table: "vms",
                columns: new[] { "AgencyId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_vms_RequestId",
                table: "vms",
                column: "RequestId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "auto_approval_policies");

            migrationBuilder.DropTable(
                name: "known_agencies");

            migrationBuilder.DropTable(
                name: "known_facilities");

            migrationBuilder.DropTable(
                name: "known_prices");

            migrationBuilder.DropTable(
                name: "known_projects");

            migrationBuilder.DropTable(
                name: "known_roles");

            migrationBuilder.DropTable(
                name: "placement_decisions");

            migrationBuilder.DropTable(
                name: "vms");

            migrationBuilder.DropTable(
                name: "hosting_requests");

            migrationBuilder.DropColumn(
                name: "FacilityListPrice",
                table: "agreements_in_force");

            migrationBuilder.DropColumn(
                name: "Prices_MemoryGibHourXof",
                table: "agreements_in_force");

            migrationBuilder.DropColumn(
                name: "Prices_PublicIpv4MonthXof",
                table: "agreements_in_force");

            migrationBuilder.DropColumn(
                name: "Prices_StorageGibMonthXof",
                table: "agreements_in_force");

            migrationBuilder.DropColumn(
                name: "Prices_VcpuHourXof",
                table: "agreements_in_force");
        }
    }
}
