using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Quota.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PoolThresholdAlerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AboveAlert",
                table: "pool_inventories",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AboveAlert",
                table: "pool_inventories");
        }
    }
}
