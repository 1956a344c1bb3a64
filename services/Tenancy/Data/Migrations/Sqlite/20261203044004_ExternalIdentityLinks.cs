using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Tenancy.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ExternalIdentityLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "external_identity_links",
                columns: table => new
                {
                    Issuer = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    StateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    Revision = table.Column<long>(type: "INTEGER", nullable: false),
                    ChangedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ChangedByUserId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_external_identity_links", x => new { x.Issuer, x.Subject });
                });

            migrationBuilder.CreateIndex(
                name: "IX_external_identity_links_UserId",
                table: "external_identity_links",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "external_identity_links");
        }
    }
}
