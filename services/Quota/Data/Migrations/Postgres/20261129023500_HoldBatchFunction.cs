using Aes.Quota.Application;
using Aes.Quota.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aes.Quota.Data.Migrations.Postgres
{
    /// <summary>
    /// Group commit of holds on PostgreSQL (Data/Sql/quota_hold_batch.sql), and quota_hold keeps the hold's
    /// trace context on its outbox row, as every other outbox row does (a 14th argument); the model does not change.
    /// </summary>
    [DbContext(typeof(QuotaPostgresDbContext))]
    [Migration("20261129023500_HoldBatchFunction")]
    public partial class HoldBatchFunction : Migration
    {
        // Replicas of the previous version call quota_hold with 13 arguments until a rolling update has
        // replaced them: that form stays, handing the new one no trace context. A later migration may drop it.
        private const string PreviousFormSql = """
            CREATE OR REPLACE FUNCTION quota_hold(
                p_claim uuid, p_agency uuid, p_pool uuid, p_facility uuid, p_agreement uuid, p_guest_state text,
                p_amounts bigint[], p_expires timestamptz, p_reference text, p_now timestamptz,
                p_message_id uuid, p_message_type text, p_message_body text)
            RETURNS TABLE (outcome int, failed_class int, row_limit bigint, row_used bigint)
            LANGUAGE sql AS $fn$
                SELECT * FROM quota_hold(p_claim, p_agency, p_pool, p_facility, p_agreement, p_guest_state, p_amounts, p_expires,
                                         p_reference, p_now, p_message_id, p_message_type, p_message_body, NULL::text)
            $fn$;
            """;

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(PostgresHold.FunctionSql);
            migrationBuilder.Sql(PreviousFormSql);
            migrationBuilder.Sql(PostgresHold.BatchFunctionSql);
        }

        // The previous version's code calls the 13-argument form, which stays.
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS quota_hold_batch(uuid[], uuid[], uuid[], uuid[], uuid[], text[], bigint[], timestamptz[], text[], timestamptz[], uuid[], text[], text[], text[]);");
    }
}
