using System.Data.Common;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Aes.Messaging.Persistence;

public static class InsertIfAbsent
{
    /// <summary>
    /// Inserts <paramref name="row"/> unless a row with the same key is there, in one statement that cannot
    /// fail on a duplicate: <c>INSERT … ON CONFLICT DO NOTHING</c>, which PostgreSQL and SQLite both speak.
    /// Consumers filling the same projection concurrently (two replicas, or two events about one entity on
    /// queues of their own) then never collide: PostgreSQL makes the second wait for the first to commit, and
    /// it inserts nothing. The row is written at once, in the context's transaction, and is not tracked.
    /// True when this call inserted it.
    /// </summary>
    public static async Task<bool> InsertIfAbsentAsync<TRow>(this DbContext db, TRow row, CancellationToken cancellationToken)
        where TRow : class
    {
        var entity = db.Model.FindEntityType(typeof(TRow)) ?? throw new InvalidOperationException($"{typeof(TRow).Name} is not mapped.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        var columns = new List<string>();
        var parameters = new List<DbParameter>();
        AddColumns(entity, row);
        var statement = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns)}) "
            + $"VALUES ({string.Join(", ", parameters.Select(p => "@" + p.ParameterName))}) ON CONFLICT DO NOTHING";
        return await db.Database.ExecuteSqlRawAsync(statement, parameters, cancellationToken) == 1;

        // A complex property (a value object such as prices) is columns of the same row.
        void AddColumns(ITypeBase type, object? instance)
        {
            foreach (var property in type.GetProperties())
            {
                if (property.GetColumnName(table) is not { } column)
                {
                    continue;
                }
                var value = instance is null ? null : property.PropertyInfo?.GetValue(instance) ?? property.FieldInfo?.GetValue(instance);
                if (property.ValueGenerated.HasFlag(ValueGenerated.OnAdd) && Equals(value, property.ClrType.IsValueType ? Activator.CreateInstance(property.ClrType) : null))
                {
                    continue; // the database makes it (an identity column)
                }
                parameters.Add(((RelationalTypeMapping)property.GetTypeMapping()).CreateParameter(command, $"p{parameters.Count}", value, property.IsNullable));
                columns.Add(sql.DelimitIdentifier(column));
            }
            foreach (var complex in type.GetComplexProperties())
            {
                AddColumns(complex.ComplexType, instance is null ? null : complex.PropertyInfo?.GetValue(instance) ?? complex.FieldInfo?.GetValue(instance));
            }
        }
    }
}

public static class KeyLocks
{
    /// <summary>
    /// Makes the transactions about one key (events about one entity consumed from queues of their own) take turns
    /// until they commit: a transaction-scoped advisory lock on PostgreSQL; SQLite's transactions already hold its one
    /// write lock from their start. What the second then reads includes what the first committed.
    /// </summary>
    public static async Task LockKeyAsync(this DbContext db, string key, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({key}))", cancellationToken);
        }
    }
}
