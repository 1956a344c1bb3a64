using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SshKeysUserDataPublicAddress : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PublicAddress",
                table: "vms",
                type: "character varying(45)",
                maxLength: 45,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SshKeyFingerprints",
                table: "hosting_requests",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SshPublicKeys",
                table: "hosting_requests",
                type: "character varying(40000)",
                maxLength: 40000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UserData",
                table: "hosting_requests",
                type: "character varying(16384)",
                maxLength: 16384,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ssh_keys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Algorithm = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Bits = table.Column<int>(type: "integer", nullable: false),
                    Fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PublicKey = table.Column<string>(type: "character varying(16384)", maxLength: 16384, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ssh_keys", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ssh_keys_UserId_AgencyId_Fingerprint",
                table: "ssh_keys",
                columns: new[] { "UserId", "AgencyId", "Fingerprint" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ssh_keys");

            migrationBuilder.DropColumn(
                name: "PublicAddress",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "SshKeyFingerprints",
                table: "hosting_requests");

            migrationBuilder.DropColumn(
                name: "SshPublicKeys",
                table: "hosting_requests");

            migrationBuilder.DropColumn(
                name: "UserData",
                table: "hosting_requests");
        }
    }
}
