using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Aes.Billing.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ByClass : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            ByClassConversion.Up(migrationBuilder);

            migrationBuilder.CreateTable(
                name: "known_resource_classes",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Unit = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    NameFr = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Metering = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Consumption = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DefinedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_resource_classes", x => x.Code);
                });

            migrationBuilder.InsertData(
                table: "known_resource_classes",
                columns: new[] { "Code", "Consumption", "DefinedAt", "Metering", "NameEn", "NameFr", "Unit" },
                values: new object[,]
                {
                    { "memory_gib", "Amount", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hourly", "Memory", "Mémoire", "gib" },
                    { "public_ipv4", "Count", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Monthly", "Public IPv4 address", "Adresse IPv4 publique", "ipv4" },
                    { "storage_gib", "Amount", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Monthly", "Storage", "Stockage", "gib" },
                    { "vcpu", "Count", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hourly", "vCPU", "vCPU", "vcpu" }
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            // Classes beyond the four have no column to go back to: going back is restoring the backup taken before the
            // upgrade (README, Deploying).
            throw new NotSupportedException("ByClass cannot be undone: restore the database from before the upgrade.");
    }
}
