using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Aes.Tenancy.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ResourceClasses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "resource_classes",
                columns: table => new
                {
                    Code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Unit = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    NameFr = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Metering = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Consumption = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Rank = table.Column<int>(type: "integer", nullable: false),
                    DefinedByStateCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    DefinedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_resource_classes", x => x.Code);
                    table.ForeignKey(
                        name: "FK_resource_classes_MemberStates_DefinedByStateCode",
                        column: x => x.DefinedByStateCode,
                        principalTable: "MemberStates",
                        principalColumn: "Code");
                });

            migrationBuilder.InsertData(
                table: "resource_classes",
                columns: new[] { "Code", "Consumption", "DefinedAt", "DefinedByStateCode", "Metering", "NameEn", "NameFr", "Rank", "Unit" },
                values: new object[,]
                {
                    { "memory_gib", "Amount", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), null, "Hourly", "Memory", "Mémoire", 2, "gib" },
                    { "public_ipv4", "Count", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), null, "Monthly", "Public IPv4 address", "Adresse IPv4 publique", 4, "ipv4" },
                    { "storage_gib", "Amount", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), null, "Monthly", "Storage", "Stockage", 3, "gib" },
                    { "vcpu", "Count", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), null, "Hourly", "vCPU", "vCPU", 1, "vcpu" }
                });

            migrationBuilder.CreateIndex(
                name: "IX_resource_classes_DefinedByStateCode",
                table: "resource_classes",
                column: "DefinedByStateCode");

            migrationBuilder.CreateIndex(
                name: "IX_resource_classes_Rank_Code",
                table: "resource_classes",
                columns: new[] { "Rank", "Code" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "resource_classes");
        }
    }
}
