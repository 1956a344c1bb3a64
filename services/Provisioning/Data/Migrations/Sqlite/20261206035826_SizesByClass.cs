using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SizesByClass : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => SizesByClassConversion.Up(migrationBuilder, postgres: false);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            // Classes beyond the four have no column to go back to: going back is restoring the backup taken before the
            // upgrade (README, Deploying).
            throw new NotSupportedException("SizesByClass cannot be undone: restore the database from before the upgrade.");
    }
}
