using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Tenancy.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IssuerKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "issuer_keys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Generation = table.Column<int>(type: "INTEGER", nullable: false),
                    Material = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ActivatesAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_issuer_keys", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_issuer_keys_Purpose_Generation",
                table: "issuer_keys",
                columns: new[] { "Purpose", "Generation" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "issuer_keys");
        }
    }
}
