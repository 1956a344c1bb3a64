using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VmPower : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "PowerAction",
                table: "vms",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PowerAskedAt",
                table: "vms",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "PowerOperationId",
                table: "vms",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PowerRefusedReason",
                table: "vms",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PowerAction",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "PowerAskedAt",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "PowerOperationId",
                table: "vms");

            migrationBuilder.DropColumn(
                name: "PowerRefusedReason",
                table: "vms");
        }
    }
}
