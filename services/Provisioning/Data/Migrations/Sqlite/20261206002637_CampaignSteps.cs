using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CampaignSteps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Name",
                table: "known_projects",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "CutOverAt",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CutOverBy",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeletionAttestedBy",
                table: "campaign_workloads",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeletionDocumentSha256",
                table: "campaign_workloads",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeletionRecordedAt",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "DeletionRecordedBy",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeletionReference",
                table: "campaign_workloads",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ForeignCopyDeletedAt",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HostedFacilityCode",
                table: "campaign_workloads",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "HostingActiveAt",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ImportedAt",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<int>(
                name: "LaunchAttempts",
                table: "campaign_workloads",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "LaunchedAt",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RequestId",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequestStatus",
                table: "campaign_workloads",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "RequestStatusAt",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TransferSha256",
                table: "campaign_workloads",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "TransferredAt",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "TransferredBy",
                table: "campaign_workloads",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TransferredGb",
                table: "campaign_workloads",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_campaign_workloads_RequestId",
                table: "campaign_workloads",
                column: "RequestId");
            // Workloads imported before this version: known abroad since their campaign was created.
            migrationBuilder.Sql(@"UPDATE campaign_workloads SET ""ImportedAt"" = (SELECT ""CreatedAt"" FROM campaigns WHERE campaigns.""Id"" = campaign_workloads.""CampaignId"");");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_campaign_workloads_RequestId",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "Name",
                table: "known_projects");

            migrationBuilder.DropColumn(
                name: "CutOverAt",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "CutOverBy",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "DeletionAttestedBy",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "DeletionDocumentSha256",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "DeletionRecordedAt",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "DeletionRecordedBy",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "DeletionReference",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "ForeignCopyDeletedAt",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "HostedFacilityCode",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "HostingActiveAt",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "ImportedAt",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "LaunchAttempts",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "LaunchedAt",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "RequestId",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "RequestStatus",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "RequestStatusAt",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "TransferSha256",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "TransferredAt",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "TransferredBy",
                table: "campaign_workloads");

            migrationBuilder.DropColumn(
                name: "TransferredGb",
                table: "campaign_workloads");
        }
    }
}
