using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CallReplays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "call_replays",
                columns: table => new
                {
                    method = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    caller = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    idempotency_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    response = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_call_replays", x => new { x.method, x.caller, x.idempotency_key });
                });

            migrationBuilder.CreateIndex(
                name: "IX_call_replays_created_at",
                table: "call_replays",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "call_replays");
        }
    }
}
