using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StepLeaseToken : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "LeaseToken",
                table: "hosting_requests",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LeaseToken",
                table: "hosting_requests");
        }
    }
}
