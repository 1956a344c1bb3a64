using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Campaigns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "campaign_import_parts",
                columns: table => new
                {
                    CampaignId = table.Column<Guid>(type: "uuid", nullable: false),
                    FileSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Part = table.Column<int>(type: "integer", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_campaign_import_parts", x => new { x.CampaignId, x.FileSha256, x.Part });
                });

            migrationBuilder.CreateTable(
                name: "campaign_imports",
                columns: table => new
                {
                    CampaignId = table.Column<Guid>(type: "uuid", nullable: false),
                    FileSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Format = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Parts = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Added = table.Column<int>(type: "integer", nullable: false),
                    Updated = table.Column<int>(type: "integer", nullable: false),
                    Unchanged = table.Column<int>(type: "integer", nullable: false),
                    BadRowsJson = table.Column<string>(type: "text", nullable: true),
                    ImportedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_campaign_imports", x => new { x.CampaignId, x.FileSha256 });
                });

            migrationBuilder.CreateTable(
                name: "campaign_workloads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CampaignId = table.Column<Guid>(type: "uuid", nullable: false),
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Line = table.Column<int>(type: "integer", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Project = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Classification = table.Column<int>(type: "integer", nullable: false),
                    SourceProvider = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SourceRegion = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    DataGb = table.Column<long>(type: "bigint", nullable: false),
                    TargetDate = table.Column<DateOnly>(type: "date", nullable: false),
                    Wave = table.Column<int>(type: "integer", nullable: false),
                    Image = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    Resources = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Step = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    PlannedFacilityCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    PlannedStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    PlannedMonthlyXof = table.Column<long>(type: "bigint", nullable: true),
                    PlanReasonFr = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    PlanReasonEn = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_campaign_workloads", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "campaigns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    OwnerStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    AgencyIds = table.Column<string>(type: "character varying(40000)", maxLength: 40000, nullable: false),
                    WavesJson = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    PlannedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastPlanJson = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_campaigns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_campaign_workloads_CampaignId_Key",
                table: "campaign_workloads",
                columns: new[] { "CampaignId", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_campaigns_OwnerStateCode",
                table: "campaigns",
                column: "OwnerStateCode");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "campaign_import_parts");

            migrationBuilder.DropTable(
                name: "campaign_imports");

            migrationBuilder.DropTable(
                name: "campaign_workloads");

            migrationBuilder.DropTable(
                name: "campaigns");
        }
    }
}
