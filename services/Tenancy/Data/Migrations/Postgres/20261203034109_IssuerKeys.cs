using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Tenancy.Data.Migrations.Postgres
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
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Purpose = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Generation = table.Column<int>(type: "integer", nullable: false),
                    Material = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ActivatesAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
