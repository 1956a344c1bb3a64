using Aes.Quota.Application;
using Aes.Quota.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Quota.Data.Migrations.Postgres
{
    /// <summary>
    /// The one-round-trip hold on PostgreSQL (Data/Sql/quota_hold.sql, in its current form: HoldBatchFunction
    /// keeps the first form, without the trace context, as a wrapper for replicas of the previous version); the model does not change.
    /// </summary>
    [DbContext(typeof(QuotaPostgresDbContext))]
    [Migration("20261123211500_HoldFunction")]
    public partial class HoldFunction : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql(PostgresHold.FunctionSql);

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS quota_hold(uuid, uuid, uuid, uuid, uuid, text, bigint[], timestamptz, text, timestamptz, uuid, text, text);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS quota_hold(uuid, uuid, uuid, uuid, uuid, text, bigint[], timestamptz, text, timestamptz, uuid, text, text, text);");
        }
    }
}
