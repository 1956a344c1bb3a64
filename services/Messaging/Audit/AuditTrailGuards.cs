using Microsoft.EntityFrameworkCore.Migrations;

namespace Aes.Messaging.Audit;

/// <summary>
/// The database's own guard on the audit trail, which no model describes: append-only for whoever uses the
/// application's connection. An edit or a removal needs the trigger dropped first, and the hash chain shows any
/// that happen anyway. Each service's baseline migration adds it, and carrying a database onto the baseline adds
/// it again (ADR 038): on SQLite, a migration that rebuilt the table had silently dropped it.
/// </summary>
public static class AuditTrailGuards
{
    /// <summary>Statements that leave the guard in place, whether or not it was there.</summary>
    public static IReadOnlyList<string> Statements(bool postgres) => postgres
        ?
        [
            """
            CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$;
            DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries;
            CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
            FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
            """,
        ]
        :
        [
            "CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END;",
            "CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END;",
        ];

    public static void AddAppendOnlyGuard(this MigrationBuilder migrationBuilder)
    {
        foreach (var statement in Statements(migrationBuilder.IsNpgsql()))
        {
            migrationBuilder.Sql(statement);
        }
    }
}
