using System.Data.Common;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using Aes.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Aes.Integration.Tests.Operations;

/// <summary>
/// Each service's migrations were folded into one baseline per provider (ADR 038). The fixture in
/// Upgrade/before-baseline is a data folder and five PostgreSQL dumps written by the version before the fold (the
/// whole marketplace's REST, CLI and automation tests, embedded and on PostgreSQL): quotas, claims, usage, prices,
/// an agreement's slices, invoices. The new version's start step (<c>migrate</c>, which every start runs first)
/// carries them onto the baseline without changing a row.
/// </summary>
public sealed class UpgradeInPlaceTests
{
    private static readonly string[] Services = ["tenancy", "quota", "billing", "provisioning", "portal"];

    // What the issue names as not to be lost, by the table that holds it.
    private static readonly (string Service, string Table)[] Kept =
    [
        ("quota", "agency_allocations"), ("quota", "claims"), ("quota", "agreement_slices"), ("billing", "usage_segments"),
        ("billing", "price_catalogues"), ("billing", "invoices"), ("tenancy", "Agreements"),
    ];

    private static string Fixture(string file) => Path.Combine(RepositoryPaths.Root, "tests", "Aes.Integration.Tests", "Upgrade", "before-baseline", file);

    [Fact]
    public async Task A_data_folder_written_before_the_baseline_is_carried_onto_it_at_start_with_nothing_lost_and_the_schema_of_a_new_one()
    {
        var folder = Infra.NewTempFolder("aes-upgrade");
        await ExtractAsync(Fixture("data-folder.tar.gz"), folder);
        await CarriedWithNothingLostAsync(
            Services.ToDictionary(s => s, s => new Database("Sqlite", $"Data Source={Path.Combine(folder, s + ".db")};Pooling=false")),
            service => Task.FromResult(new Database("Sqlite", $"Data Source={Path.Combine(folder, service + "-new.db")};Pooling=false")));
    }

    [Fact]
    public async Task A_postgres_database_written_before_the_baseline_is_carried_onto_it_at_start_with_nothing_lost_and_the_schema_of_a_new_one()
    {
        var dumps = Infra.NewTempFolder("aes-upgrade-pg");
        await ExtractAsync(Fixture("postgres.tar.gz"), dumps);
        var databases = new Dictionary<string, Database>();
        foreach (var service in Services)
        {
            var database = new Database("Postgres", await TestInfrastructure.NewPostgresDatabaseAsync("up"));
            await RestoreAsync(database.Connection, Path.Combine(dumps, service + ".sql"));
            databases[service] = database;
        }
        await CarriedWithNothingLostAsync(databases, async _ => new Database("Postgres", await TestInfrastructure.NewPostgresDatabaseAsync("new")));
    }

    [Fact]
    public async Task A_database_from_another_version_or_with_a_schema_the_baseline_does_not_expect_is_refused_and_left_as_it_was()
    {
        var folder = Infra.NewTempFolder("aes-upgrade-refused");
        await ExtractAsync(Fixture("data-folder.tar.gz"), folder);
        var quota = new Database("Sqlite", $"Data Source={Path.Combine(folder, "quota.db")};Pooling=false");

        // Written by an older version: its history stops one migration before the folded one.
        await ExecuteAsync(quota, "DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = (SELECT max(\"MigrationId\") FROM \"__EFMigrationsHistory\")");
        var older = await ContentsAsync(quota);
        var (olderExit, olderOutput) = await MigrateAsync("quota", quota);
        Assert.NotEqual(0, olderExit);
        Assert.Contains("start the version that ends with 20261203172736_ProjectionRevisions", olderOutput);
        Assert.Equal(older, await ContentsAsync(quota));

        // The right history, but a table missing: the baseline would not describe this database.
        var another = Infra.NewTempFolder("aes-upgrade-damaged");
        await ExtractAsync(Fixture("data-folder.tar.gz"), another);
        quota = new Database("Sqlite", $"Data Source={Path.Combine(another, "quota.db")};Pooling=false");
        await ExecuteAsync(quota, "DROP TABLE quota_history");
        var damaged = await ContentsAsync(quota);
        var (damagedExit, damagedOutput) = await MigrateAsync("quota", quota);
        Assert.NotEqual(0, damagedExit);
        Assert.Contains("missing: quota_history.*", damagedOutput);
        Assert.Equal(damaged, await ContentsAsync(quota));
    }

    private static async Task CarriedWithNothingLostAsync(Dictionary<string, Database> databases, Func<string, Task<Database>> newDatabase)
    {
        var before = new Dictionary<string, Dictionary<string, List<string>>>();
        foreach (var (service, database) in databases)
        {
            before[service] = await ContentsAsync(database);
            Assert.True((await HistoryAsync(database)).Count > 1, $"{service}: the fixture holds the folded history");
        }
        Assert.All(Kept, kept => Assert.True(before[kept.Service][kept.Table].Count > 0, $"the fixture holds {kept.Service}.{kept.Table}"));

        foreach (var (service, database) in databases)
        {
            var (exit, output) = await MigrateAsync(service, database);
            Assert.True(exit == 0, output);
            Assert.Contains("folded migrations carried onto the baseline", output);

            Assert.Equal(before[service], await ContentsAsync(database)); // every row of every table, as it was
            var history = Assert.Single(await HistoryAsync(database));
            Assert.EndsWith("_Baseline", history);

            // The carried schema is the one the baseline makes on a new database: tables, columns, types, indexes, triggers, functions.
            var fresh = await newDatabase(service);
            var (freshExit, freshOutput) = await MigrateAsync(service, fresh);
            Assert.True(freshExit == 0, freshOutput);
            var (expected, carried) = (await SchemaAsync(fresh), await SchemaAsync(database));
            Assert.True(expected.SequenceEqual(carried), $"{service}: only in a new database: {string.Join("; ", expected.Except(carried))} — only in the carried one: {string.Join("; ", carried.Except(expected))}");

            // Started again, there is nothing left to carry.
            var (againExit, againOutput) = await MigrateAsync(service, database);
            Assert.True(againExit == 0, againOutput);
            Assert.DoesNotContain("carried onto the baseline", againOutput);
        }
    }

    private sealed record Database(string Provider, string Connection)
    {
        public DbConnection Open() => Provider == "Postgres" ? new NpgsqlConnection(Connection) : new SqliteConnection(Connection);
    }

    private static async Task<(int Exit, string Output)> MigrateAsync(string service, Database database)
    {
        var name = char.ToUpperInvariant(service[0]) + service[1..];
        await using var migrate = ServiceProcess.Start($"services/{name}", $"Aes.{name}",
            ["migrate", $"--Database:Provider={database.Provider}", $"--ConnectionStrings:{service}-db={database.Connection}"]);
        var exit = await migrate.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exit, migrate.Output);
    }

    private static async Task<List<string>> HistoryAsync(Database database) =>
        (await QueryAsync(database, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"")).Select(row => row[0]).ToList();

    /// <summary>Every row of every table but the migration history, as text, sorted.</summary>
    private static async Task<Dictionary<string, List<string>>> ContentsAsync(Database database)
    {
        var tables = (await QueryAsync(database, database.Provider == "Postgres"
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
            .Select(row => row[0]).Where(table => table != "__EFMigrationsHistory").Order(StringComparer.Ordinal).ToList();
        var contents = new Dictionary<string, List<string>>();
        foreach (var table in tables)
        {
            contents[table] = (await QueryAsync(database, $"SELECT * FROM \"{table}\"")).Select(row => string.Join(" | ", row)).Order(StringComparer.Ordinal).ToList();
        }
        return contents;
    }

    /// <summary>
    /// Columns with their types and nullability, keys, indexes, foreign keys, triggers and functions. Column defaults
    /// are left out: a folded migration that added a column to a table with rows gave it one for those rows, and the
    /// services write every column.
    /// </summary>
    private static async Task<List<string>> SchemaAsync(Database database)
    {
        var queries = database.Provider == "Postgres"
            ? new[]
            {
                "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_schema = 'public'",
                "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'",
                "SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
                "SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal",
                "SELECT DISTINCT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
            }
            : new[]
            {
                "SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p.\"notnull\" || ' ' || p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                "SELECT m.name || ' index ' || i.name || ' ' || i.\"unique\" || ' ' || (SELECT group_concat(c.name) FROM pragma_index_info(i.name) c) FROM sqlite_master m JOIN pragma_index_list(m.name) i WHERE m.type = 'table'",
                "SELECT m.name || ' references ' || f.\"table\" || '.' || f.\"to\" || ' ' || f.on_delete FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
                "SELECT 'trigger ' || name FROM sqlite_master WHERE type = 'trigger'",
            };
        var schema = new List<string>();
        foreach (var query in queries)
        {
            schema.AddRange((await QueryAsync(database, query)).Select(row => row[0]));
        }
        // EF's rebuilds of SQLite tables name their primary-key index after the rebuild; the key itself is compared above.
        return schema.Where(line => !line.Contains(" index sqlite_autoindex_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<List<string[]>> QueryAsync(Database database, string sql)
    {
        await using var connection = database.Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Text(reader.GetValue(i))).ToArray());
        }
        return rows;
    }

    private static string Text(object value) => value switch
    {
        DBNull => "∅",
        byte[] bytes => Convert.ToBase64String(bytes),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        Array array => "[" + string.Join(",", array.Cast<object>().Select(Text)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static async Task ExecuteAsync(Database database, string sql)
    {
        await using var connection = database.Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ExtractAsync(string archive, string folder)
    {
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await TarFile.ExtractToDirectoryAsync(gzip, folder, overwriteFiles: true);
    }

    /// <summary>Loads a plain pg_dump with psql, as an operator restores one.</summary>
    private static async Task RestoreAsync(string connectionString, string dump)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var psql = (Directory.Exists("/usr/lib/postgresql") ? Directory.GetFiles("/usr/lib/postgresql", "psql", SearchOption.AllDirectories) : [])
            .Order(StringComparer.Ordinal).LastOrDefault() ?? "psql";
        var start = new ProcessStartInfo(psql) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-q", "-v", "ON_ERROR_STOP=1", "-h", target.Host!, "-p", target.Port.ToString(CultureInfo.InvariantCulture), "-U", target.Username!, "-d", target.Database!, "-f", dump })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await errors);
    }
}
