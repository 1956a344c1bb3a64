using Aes.Quota.Application;
using Aes.Quota.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Quota.Data.Migrations.Postgres
{
    /// <summary>
    /// Group commit of holds on PostgreSQL (Data/Sql/quota_hold_batch.sql), and quota_hold keeps the hold's
    /// trace context on its outbox row, as every other outbox row does; the model does not change.
    /// </summary>
    [DbContext(typeof(QuotaPostgresDbContext))]
    [Migration("20261129023500_HoldBatchFunction")]
    public partial class HoldBatchFunction : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS quota_hold(uuid, uuid, uuid, uuid, uuid, text, bigint[], timestamptz, text, timestamptz, uuid, text, text);");
            migrationBuilder.Sql(PostgresHold.FunctionSql);
            migrationBuilder.Sql(PostgresHold.BatchFunctionSql);
        }

        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS quota_hold_batch(uuid[], uuid[], uuid[], uuid[], uuid[], text[], bigint[], timestamptz[], text[], timestamptz[], uuid[], text[], text[], text[]);");
    }
}
