using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "Prices_MemoryGibHourXof",
                table: "agreements_in_force",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "Prices_PublicIpv4MonthXof",
                table: "agreements_in_force",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "Prices_StorageGibMonthXof",
                table: "agreements_in_force",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "Prices_VcpuHourXof",
                table: "agreements_in_force",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "auto_approval_policies",
                columns: table => new
                {
                    StateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    MaxVcpu = table.Column<long>(type: "INTEGER", nullable: false),
                    Classifications = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_auto_approval_policies", x => x.StateCode);
                });

            migrationBuilder.CreateTable(
                name: "hosting_requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgencyStateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SubmittedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    Classification = table.Column<int>(type: "INTEGER", nullable: false),
                    PreferredStateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    PreferredFacilityId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Justification = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Deadline = table.Column<DateTime>(type: "TEXT", nullable: false),
                    VmLinesJson = table.Column<string>(type: "TEXT", nullable: false),
                    TotalVcpu = table.Column<long>(type: "INTEGER", nullable: false),
                    TotalMemoryGib = table.Column<long>(type: "INTEGER", nullable: false),
                    TotalDiskGib = table.Column<long>(type: "INTEGER", nullable: false),
                    TotalPublicIpv4 = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    StatusReasonFr = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    StatusReasonEn = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FacilityCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FacilityStateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    PoolId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AgreementId = table.Column<Guid>(type: "TEXT", nullable: true),
                    HoldsExpireAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PlacementAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    HomeApproval = table.Column<int>(type: "INTEGER", nullable: false),
                    HomeDecidedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    HomeAutomatic = table.Column<bool>(type: "INTEGER", nullable: false),
                    HomeDecidedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    HostApproval = table.Column<int>(type: "INTEGER", nullable: false),
                    HostDecidedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    HostAutomatic = table.Column<bool>(type: "INTEGER", nullable: false),
                    HostDecidedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RejectionReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CleanupPending = table.Column<bool>(type: "INTEGER", nullable: false),
                    NextStepAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LeasedUntil = table.Column<DateTime>(type: "TEXT", nullable: true),
                    SubmittedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hosting_requests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "known_agencies",
                columns: table => new
                {
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_agencies", x => x.AgencyId);
                });

            migrationBuilder.CreateTable(
                name: "known_facilities",
                columns: table => new
                {
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    StateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_facilities", x => x.FacilityId);
                });

            migrationBuilder.CreateTable(
                name: "known_prices",
                columns: table => new
                {
                    CatalogueId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    From = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Prices_MemoryGibHourXof = table.Column<long>(type: "INTEGER", nullable: false),
                    Prices_PublicIpv4MonthXof = table.Column<long>(type: "INTEGER", nullable: false),
                    Prices_StorageGibMonthXof = table.Column<long>(type: "INTEGER", nullable: false),
                    Prices_VcpuHourXof = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_prices", x => x.CatalogueId);
                });

            migrationBuilder.CreateTable(
                name: "known_projects",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_projects", x => x.ProjectId);
                });

            migrationBuilder.CreateTable(
                name: "known_roles",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    StateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_roles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "placement_decisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PoolId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AgreementId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReasonFr = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    ReasonEn = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    ConsideredJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_placement_decisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "vms",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgencyStateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Flavour = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Vcpu = table.Column<long>(type: "INTEGER", nullable: false),
                    MemoryGib = table.Column<long>(type: "INTEGER", nullable: false),
                    DiskGib = table.Column<long>(type: "INTEGER", nullable: false),
                    PublicIpv4 = table.Column<bool>(type: "INTEGER", nullable: false),
                    Image = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    ClaimId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FacilityCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FacilityStateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    ActivatedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DecommissionedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DecommissionReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    TargetVcpu = table.Column<long>(type: "INTEGER", nullable: true),
                    TargetMemoryGib = table.Column<long>(type: "INTEGER", nullable: true),
                    TargetDiskGib = table.Column<long>(type: "INTEGER", nullable: true),
                    ResizeGrown = table.Column<bool>(type: "INTEGER", nullable: false),
                    ResizeRefusedReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
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
