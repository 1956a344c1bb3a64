using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Provisioning.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "agreements_in_force",
                columns: table => new
                {
                    AgreementId = table.Column<Guid>(type: "TEXT", nullable: false),
                    HostStateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    FacilityId = table.Column<Guid>(type: "TEXT", nullable: false),
                    GuestStateCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    AllowedClassifications = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    StartsAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndsAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agreements_in_force", x => x.AgreementId);
                });

            migrationBuilder.CreateTable(
                name: "ended_agreements",
                columns: table => new
                {
                    AgreementId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ended_agreements", x => x.AgreementId);
                });

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    consumer = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    processed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_messages", x => new { x.message_id, x.consumer });
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    message_type = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    dispatched_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_messages", x => x.sequence);
                });

            migrationBuilder.CreateIndex(
                name: "IX_agreements_in_force_GuestStateCode",
                table: "agreements_in_force",
                column: "GuestStateCode");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_dispatched_at",
                table: "outbox_messages",
                column: "dispatched_at");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_message_id",
                table: "outbox_messages",
                column: "message_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agreements_in_force");

            migrationBuilder.DropTable(
                name: "ended_agreements");

            migrationBuilder.DropTable(
                name: "inbox_messages");

            migrationBuilder.DropTable(
                name: "outbox_messages");
        }
    }
}
