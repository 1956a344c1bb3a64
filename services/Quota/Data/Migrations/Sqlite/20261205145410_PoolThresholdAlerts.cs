using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Quota.Data.Migrations.Sqlite
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
                type: "INTEGER",
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
