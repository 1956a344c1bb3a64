using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Aes.Provisioning.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Accelerators : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Accelerators",
                table: "vms",
                type: "TEXT",
                maxLength: 4000,
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<string>(
                name: "TotalAccelerators",
                table: "hosting_requests",
                type: "TEXT",
                maxLength: 4000,
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.CreateTable(
                name: "known_resource_classes",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Metering = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DefinedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_resource_classes", x => x.Code);
                });

            migrationBuilder.InsertData(
                table: "known_resource_classes",
                columns: new[] { "Code", "DefinedAt", "Metering" },
                values: new object[,]
                {
                    { "memory_gib", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hourly" },
                    { "public_ipv4", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Monthly" },
                    { "storage_gib", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Monthly" },
                    { "vcpu", new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hourly" }
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "known_resource_classes");

            migrationBuilder.DropColumn(
                name: "Accelerators",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "TotalAccelerators",
                table: "hosting_requests");
        }
    }
}
