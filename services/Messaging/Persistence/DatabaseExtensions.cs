using Microsoft.EntityFrameworkCore.Infrastructure;
using Aes.ServiceDefaults;
using Microsoft.Extensions.Logging;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aes.Messaging.Persistence;

public static class DatabaseExtensions
{
    /// <summary>
    /// Registers the service's database as <typeparamref name="TContext"/>: PostgreSQL when
    /// Database:Provider is Postgres, SQLite (the embedded default) otherwise. Each provider has
    /// its own migrations, hence one derived context type per provider. Contexts are pooled: building a
    /// context and its EF services on every request cost more CPU than the request's own work.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext, TPostgres, TSqlite>(
        this IHostApplicationBuilder builder, string connectionName)
        where TContext : ServiceDbContext
        where TPostgres : TContext
        where TSqlite : TContext
    {
        var provider = builder.Configuration.GetValue("Database:Provider", DatabaseProvider.Sqlite);
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? (provider == DatabaseProvider.Sqlite ? $"Data Source={connectionName}.db" : throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set."));

        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.TryAddSingleton<OutboxCommitInterceptor>();
        if (provider == DatabaseProvider.Postgres)
        {
            connectionString = WithPostgresDefaults(connectionString);
            builder.Services.AddDbContextPool<TContext, TPostgres>((services, options) => options
                .UseNpgsql(connectionString)
                .AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor>()));
        }
        else
        {
            EnsureSqliteFolder(connectionString);
            builder.Services.AddDbContextPool<TContext, TSqlite>((services, options) => options
                .UseSqlite(connectionString)
                .AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor>()));
        }
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck<TContext>>(connectionName, tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Three defaults, each kept when the connection string sets its own (see ADR 004):
    /// Npgsql prepares the statements a connection repeats, so PostgreSQL parses and plans each once per
    /// connection; a replica opens at most <see cref="DefaultMaxPoolSize"/> connections, since a few
    /// busy backends get more done on a small server than many switching ones, and callers beyond that
    /// wait their turn in the pool, which costs nothing; and a connection returned to the pool is not
    /// reset, as no code here leaves session state behind (advisory locks are transaction-scoped).
    /// </summary>
    public static string WithPostgresDefaults(string connectionString)
    {
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var normalized = connectionString.Replace(" ", "", StringComparison.Ordinal);
        if (!normalized.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }
        if (!normalized.Contains("PoolSize", StringComparison.OrdinalIgnoreCase))
        {
            settings.MaxPoolSize = DefaultMaxPoolSize;
        }
        if (!normalized.Contains("ResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            settings.NoResetOnClose = true;
        }
        return settings.ConnectionString;
    }

    public const int DefaultMaxPoolSize = 16;

    /// <summary>Applies pending migrations; on SQLite also switches to WAL so readers never block the writer.</summary>
    public static async Task MigrateDatabaseAsync<TContext>(this IServiceProvider services, CancellationToken cancellationToken = default)
        where TContext : ServiceDbContext
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await db.Database.CloseConnectionAsync();
        }
        await using var exclusive = db.Database.GetConnectionString() is { } connectionString && !db.Database.IsSqlite()
            ? await MigrationLockAsync(connectionString, cancellationToken)
            : null;
        if (exclusive is not null)
        {
            // EF reads the history before it creates the table, and logs the failed read of a new database as an error.
            var history = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IHistoryRepository>();
            await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken);
        }
        await MigrationBaselines.CarryOntoBaselineAsync(db, scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MigrationBaselines)),
            cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// Makes replicas starting at once migrate one after the other, from the baseline's carrying to the last migration.
    /// EF's own lock lives only as long as each migration's transaction, and the list of migrations to apply is read
    /// once, under the first: a second replica could slip in between two migrations, and the first then applied one
    /// again ("column already exists", found by the upgrade test under load). A session-level advisory lock on a
    /// connection of its own, outside the pool, holds until it is disposed, or until the process dies.
    /// </summary>
    private static async Task<Npgsql.NpgsqlConnection> MigrationLockAsync(string connectionString, CancellationToken cancellationToken)
    {
        await EnsurePostgresDatabaseAsync(connectionString, cancellationToken);
        var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Advisory locks are per database: services sharing a server never wait on each other.
            await using var wait = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(hashtext('aes:migrate'))", connection) { CommandTimeout = 0 };
            await wait.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Creates the service's database when it is missing, before EF looks for it: EF would find out by failing
    /// to connect and log that as an error on every first start. Where the service's role may not read the
    /// server's list (a cluster's operator makes the databases), EF is left to find it.
    /// </summary>
    private static async Task EnsurePostgresDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var name = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database;
        if (string.IsNullOrEmpty(name))
        {
            return;
        }
        var maintenance = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(maintenance.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var exists = new Npgsql.NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = name } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return;
            }
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Npgsql.PostgresException exception) when (exception.SqlState is "42P04" or "42501" or "3D000" or "28000")
        {
            // Created meanwhile by another replica, or not ours to see or create: EF decides.
        }
    }

    /// <summary>
    /// Migrates at start unless Database:MigrateOnStart is false. Then the migrate step (a Kubernetes
    /// Job) does it, and the service waits for that step before it serves, so no replica ever runs on
    /// an older schema than its code: it is neither live nor ready meanwhile, and says what it waits for.
    /// </summary>
    public static async Task MigrateOnStartAsync<TContext>(this IHost app) where TContext : ServiceDbContext
    {
        var configuration = app.Services.GetRequiredService<IConfiguration>();
        if (configuration.GetValue(ServiceRunner.MigrateOnStartKey, true))
        {
            await app.Services.MigrateDatabaseAsync<TContext>();
            return;
        }
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Aes.Messaging.Persistence.Schema");
        var deadline = DateTime.UtcNow + configuration.GetValue("Database:SchemaWaitTimeout", TimeSpan.FromMinutes(10));
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        while (true)
        {
            var pending = await PendingMigrationsAsync<TContext>(app.Services, stopping);
            if (pending is [])
            {
                return;
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidConfigurationException(typeof(TContext).Name,
                    [$"le schéma n'est pas à jour ; lancez l'étape « migrate » / the schema is not up to date; run the 'migrate' step ({pending?.Count.ToString() ?? "?"} pending)"]);
            }
            SchemaLog.Waiting(logger, pending?.Count ?? -1, pending?.FirstOrDefault() ?? "");
            await Task.Delay(TimeSpan.FromSeconds(2), stopping);
        }
    }

    /// <summary>The migrations not yet applied, or null while the database cannot be reached.</summary>
    private static async Task<IReadOnlyList<string>?> PendingMigrationsAsync<TContext>(IServiceProvider services, CancellationToken cancellationToken)
        where TContext : ServiceDbContext
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        try
        {
            return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException)
        {
            return null;
        }
    }

    private static void EnsureSqliteFolder(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder) && dataSource != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }
    }
}

internal sealed class DatabaseHealthCheck<TContext>(TContext db) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
    where TContext : ServiceDbContext
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("database unreachable");
}

internal static partial class SchemaLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for the migrate step: {Count} migration(s) pending, first {First} (-1: database unreachable)")]
    public static partial void Waiting(ILogger logger, int count, string first);
}
