using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Aes.Messaging.Persistence;

/// <summary>
/// Names the last migration of the history that a provider context's baseline folds (ADR 038): a database whose
/// history ends there is carried onto the baseline at start.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FoldedMigrationsAttribute(string lastFolded) : Attribute
{
    public string LastFolded { get; } = lastFolded;
}

/// <summary>
/// Carries a database written before its service's migrations were folded into one baseline onto that baseline
/// (ADR 038): its history must end with the last folded migration and its schema hold every table and column the
/// baseline's model maps; then, in one transaction, the baseline is added to its history (the folded rows stay, for a
/// rollback) and the audit trail's guard, which no model describes, is put back where a folded migration lost it;
/// the migrations after the baseline apply as usual. Anything else is refused before a byte changes. On PostgreSQL the
/// caller holds the migration lock, so replicas starting at once carry it one after the other, the second finding it done.
/// </summary>
public static partial class MigrationBaselines
{
    public static async Task CarryOntoBaselineAsync(DbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        if (db.GetType().GetCustomAttribute<FoldedMigrationsAttribute>() is not { } folded)
        {
            return;
        }
        var known = db.GetService<IMigrationsAssembly>().Migrations.Keys.Order(StringComparer.Ordinal).ToList();
        var baseline = known[0];
        var history = db.GetService<IHistoryRepository>();
        if (!await history.ExistsAsync(cancellationToken))
        {
            return;
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var applied = (await history.GetAppliedMigrationsAsync(cancellationToken)).Select(row => row.MigrationId).ToList();
            if (applied.Count == 0 || applied.Contains(baseline))
            {
                return;
            }
            if (!applied.Contains(folded.LastFolded) || applied.Any(id => string.CompareOrdinal(id, folded.LastFolded) > 0))
            {
                throw new Aes.ServiceDefaults.UnfitDatabaseException(
                    $"{db.GetType().Name}: la base a été écrite par une version antérieure ou inconnue (dernière migration {applied.Max(StringComparer.Ordinal)}) ; " +
                    $"démarrez d'abord la version qui s'arrête à {folded.LastFolded}. / the database was written by an older or unknown version " +
                    $"(last migration {applied.Max(StringComparer.Ordinal)}); start the version that ends with {folded.LastFolded} on it first.");
            }
            var missing = await MissingColumnsAsync(db, BaselineModel(db, baseline), cancellationToken);
            if (missing.Count > 0)
            {
                throw new Aes.ServiceDefaults.UnfitDatabaseException(
                    $"{db.GetType().Name}: le schéma ne correspond pas à la base de référence, il manque / the schema does not match the baseline, missing: " +
                    string.Join(", ", missing.Take(20)));
            }
            // The folded rows stay: the version before, which knows only them, still finds its schema current (a rollback).
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(baseline, ProductInfo.GetVersion())), cancellationToken);
            foreach (var statement in Audit.AuditTrailGuards.Statements(db.Database.IsNpgsql()))
            {
                await db.Database.ExecuteSqlRawAsync(statement, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            LogCarried(logger, db.GetType().Name, applied.Count, baseline);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The model the baseline migration makes, which a carried database must hold (later migrations add to it).</summary>
    private static IRelationalModel BaselineModel(DbContext db, string baseline)
    {
        var migrations = db.GetService<IMigrationsAssembly>();
        var migration = migrations.CreateMigration(migrations.Migrations[baseline], db.Database.ProviderName!);
        return db.GetService<IModelRuntimeInitializer>().Initialize(migration.TargetModel!, designTime: true, validationLogger: null).GetRelationalModel();
    }

    /// <summary>The model's tables and columns the database lacks, as table.column (a missing table is table.*).</summary>
    private static async Task<List<string>> MissingColumnsAsync(DbContext db, IRelationalModel model, CancellationToken cancellationToken)
    {
        var present = new HashSet<(string Table, string Column)>();
        var sql = db.Database.IsNpgsql()
            ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
        var connection = db.Database.GetDbConnection();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var tables = present.Select(p => p.Table).ToHashSet();
        var missing = new List<string>();
        foreach (var table in model.Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (!tables.Contains(table.Name))
            {
                missing.Add($"{table.Name}.*");
                continue;
            }
            missing.AddRange(table.Columns.Where(c => !present.Contains((table.Name, c.Name))).Select(c => $"{table.Name}.{c.Name}"));
        }
        return missing;
    }

    [LoggerMessage(EventId = 3801, Level = LogLevel.Information, Message = "{Context}: {Folded} folded migrations carried onto the baseline {Baseline}")]
    private static partial void LogCarried(ILogger logger, string context, int folded, string baseline);
}
