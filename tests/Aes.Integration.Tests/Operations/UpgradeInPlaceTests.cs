using System.Data.Common;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Aes.ServiceDefaults;
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

    // Defaults a folded migration gave a column it added to a table with rows; the model has none (EF writes these columns).
    private static readonly string[] CarriedOnlyDefaults =
    [
        "Users.PasswordHash", "agreements_in_force.FacilityListPrice",
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
    public async Task Two_replicas_starting_at_once_on_a_postgres_database_written_before_the_baseline_carry_it_once_and_both_start()
    {
        var dumps = Infra.NewTempFolder("aes-upgrade-race");
        await ExtractAsync(Fixture("postgres.tar.gz"), dumps);
        foreach (var service in new[] { "quota", "billing" })
        {
            var database = new Database("Postgres", await TestInfrastructure.NewPostgresDatabaseAsync("race"));
            await RestoreAsync(database.Connection, Path.Combine(dumps, service + ".sql"));
            var (before, folded) = (await ContentsAsync(database), await HistoryAsync(database));

            var starts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => MigrateAsync(service, database)));

            foreach (var start in starts)
            {
                // One by one rather than Assert.All, which cuts the output before the exception that says why.
                Assert.True(start.Exit == 0, start.Output);
            }
            Assert.Single(starts, start => start.Output.Contains("folded migrations carried onto the baseline", StringComparison.Ordinal));
            // The folded history, then the baseline and the migrations since, each once.
            var history = await HistoryAsync(database);
            Assert.Equal(folded, history[..folded.Count]);
            Assert.EndsWith("_Baseline", history[folded.Count]);
            Assert.Equal(history.Count, history.Distinct().Count());
            var contents = await ContentsAsync(database);
            Assert.Equal(before.ToDictionary(table => table.Key, table => AsConverted(service, table.Key, table.Value)),
                contents.Where(table => before.ContainsKey(table.Key)).ToDictionary());
        }
    }

    [Fact]
    public async Task A_database_from_another_version_or_with_a_schema_the_baseline_does_not_expect_is_refused_and_left_as_it_was()
    {
        var folder = Infra.NewTempFolder("aes-upgrade-refused");
        await ExtractAsync(Fixture("data-folder.tar.gz"), folder);
        var quota = new Database("Sqlite", $"Data Source={Path.Combine(folder, "quota.db")};Pooling=false");

        // Written by an older version: its history stops one migration before the folded one.
        await ExecuteAsync(quota, "DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = (SELECT max(\"MigrationId\") FROM \"__EFMigrationsHistory\")");
        var older = await StateAsync(quota);
        var (olderExit, olderOutput) = await MigrateAsync("quota", quota);
        Assert.Equal(ServiceRunner.UnfitDatabaseExitCode, olderExit);
        Assert.Contains("start the version that ends with 20261203172736_ProjectionRevisions", olderOutput);
        Assert.Equal(older, await StateAsync(quota));

        // The right history, but a table missing: the baseline would not describe this database.
        var another = Infra.NewTempFolder("aes-upgrade-damaged");
        await ExtractAsync(Fixture("data-folder.tar.gz"), another);
        quota = new Database("Sqlite", $"Data Source={Path.Combine(another, "quota.db")};Pooling=false");
        await ExecuteAsync(quota, "DROP TABLE quota_history");
        var damaged = await StateAsync(quota);
        var (damagedExit, damagedOutput) = await MigrateAsync("quota", quota);
        Assert.Equal(ServiceRunner.UnfitDatabaseExitCode, damagedExit);
        Assert.Contains("missing: quota_history.*", damagedOutput);
        Assert.Equal(damaged, await StateAsync(quota));
    }

    private static async Task CarriedWithNothingLostAsync(Dictionary<string, Database> databases, Func<string, Task<Database>> newDatabase)
    {
        var before = new Dictionary<string, Dictionary<string, List<string>>>();
        var folded = new Dictionary<string, List<string>>();
        foreach (var (service, database) in databases)
        {
            before[service] = await ContentsAsync(database);
            folded[service] = await HistoryAsync(database);
            Assert.True(folded[service].Count > 1, $"{service}: the fixture holds the folded history");
        }
        Assert.All(Kept, kept => Assert.True(before[kept.Service][kept.Table].Count > 0, $"the fixture holds {kept.Service}.{kept.Table}"));

        foreach (var (service, database) in databases)
        {
            var (exit, output) = await MigrateAsync(service, database);
            Assert.True(exit == 0, output);
            Assert.Contains("folded migrations carried onto the baseline", output);

            // Every row of every table the fixture had, as it was or as a migration since converts it (tables added since hold what a new database's hold).
            var contents = await ContentsAsync(database);
            var expectedRows = before[service].ToDictionary(table => table.Key, table => AsConverted(service, table.Key, table.Value));
            Assert.Equal(expectedRows, contents.Where(table => before[service].ContainsKey(table.Key)).ToDictionary());

            // The carried schema is the one the baseline makes on a new database: tables, columns, types, indexes, triggers, functions.
            var fresh = await newDatabase(service);
            var (freshExit, freshOutput) = await MigrateAsync(service, fresh);
            Assert.True(freshExit == 0, freshOutput);
            var freshContents = await ContentsAsync(fresh);
            Assert.All(contents.Keys.Except(before[service].Keys), added => Assert.Equal(freshContents[added], contents[added]));

            // The baseline and the migrations since are added, and the folded rows stay for the version before (a rollback finds its schema current).
            var history = await HistoryAsync(database);
            var freshHistory = await HistoryAsync(fresh);
            Assert.EndsWith("_Baseline", freshHistory[0]);
            Assert.Equal([.. folded[service], .. freshHistory], history);
            var (expected, carried) = (await SchemaAsync(fresh), await SchemaAsync(database));
            carried = carried.Select(line => CarriedOnlyDefaults.Any(column => line.StartsWith(column + " ", StringComparison.Ordinal)) && line.Contains(" default ", StringComparison.Ordinal)
                ? line[..line.IndexOf(" default ", StringComparison.Ordinal)] : line).Order(StringComparer.Ordinal).ToList();
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
        (await QueryAsync(database, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"")).Select(row => row[0]).Order(StringComparer.Ordinal).ToList();

    /// <summary>The rows and the migration history: all that a refused start must leave as it was.</summary>
    private static async Task<string> StateAsync(Database database) =>
        string.Join("\n", (await ContentsAsync(database)).SelectMany(table => table.Value.Select(row => $"{table.Key}: {row}")).Concat(await HistoryAsync(database)));

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
            contents[table] = (await QueryAsync(database, $"SELECT * FROM \"{table}\"", withNames: true)).Select(row => string.Join(" | ", row)).Order(StringComparer.Ordinal).ToList();
        }
        return contents;
    }

    /// <summary>Columns with their types, nullability and defaults, keys, indexes, foreign keys, triggers and functions.</summary>
    private static async Task<List<string>> SchemaAsync(Database database)
    {
        var queries = database.Provider == "Postgres"
            ? new[]
            {
                "SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') " +
                    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum " +
                    "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
                "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'",
                "SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
                "SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
                "SELECT 'function ' || oid::regprocedure || ' ' || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
            }
            : new[]
            {
                "SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p.\"notnull\" || ' ' || p.pk || coalesce(' default ' || p.dflt_value, '') FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                "SELECT m.name || ' index ' || i.name || ' ' || i.\"unique\" || ' ' || i.partial || ' ' || (SELECT group_concat(c.name) FROM pragma_index_info(i.name) c) FROM sqlite_master m JOIN pragma_index_list(m.name) i WHERE m.type = 'table'",
                "SELECT 'partial index ' || name || ' ' || substr(sql, instr(sql, ' WHERE ')) FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'",
                "SELECT m.name || ' references ' || f.\"table\" || '.' || f.\"to\" || ' ' || f.on_delete FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
                "SELECT 'trigger ' || replace(sql, 'IF NOT EXISTS ', '') FROM sqlite_master WHERE type = 'trigger'",
            };
        var schema = new List<string>();
        foreach (var query in queries)
        {
            schema.AddRange((await QueryAsync(database, query)).Select(row => row[0]));
        }
        // EF's rebuilds of SQLite tables name their primary-key index after the rebuild; the key itself is compared above.
        return schema.Where(line => !line.Contains(" index sqlite_autoindex_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Rows as their values; <paramref name="withNames"/>, as <c>column=value</c> in column-name order, so that a
    /// table rebuilt with its columns in another order reads the same.
    /// </summary>
    private static async Task<List<string[]>> QueryAsync(Database database, string sql, bool withNames = false)
    {
        await using var connection = database.Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            // JSON kept as text reads the same whatever spacing the database's JSON functions wrote it with.
            rows.Add(withNames
                ? [.. Enumerable.Range(0, reader.FieldCount)
                    .Select(i => reader.GetName(i) + "=" + (reader.GetName(i) == "VmLinesJson" ? JsonNode.Parse(reader.GetString(i))!.ToJsonString() : Text(reader.GetValue(i))))
                    .Order(StringComparer.Ordinal)]
                : [.. Enumerable.Range(0, reader.FieldCount).Select(i => Text(reader.GetValue(i)))]);
        }
        return rows;
    }

    private static readonly string[] StandardClassesByNumber = ["vcpu", "memory_gib", "storage_gib", "public_ipv4"];

    /// <summary>
    /// Rows read before the migrations since the baseline, as those migrations convert them: quota's classes became
    /// their codes (1 to 4 were the standard four in this order), and four amount columns (a quota claim's amounts, a
    /// tenancy facility's installed capacity, an agreement's slice and fixed prices, billing's prices and usage sizes, provisioning's prices) one
    /// value of their non-zero classes in code order, and an invoice line's resource number its class's code
    /// (ResourceClassCodes, AmountsByClass, billing's ByClass, provisioning's PricesByClass); a VM's size and resize target, a
    /// request's total and lines, a facility flavour's shape and a policy's limits by class (provisioning's SizesByClass), and
    /// a project known before has no name (provisioning's CampaignSteps).
    /// </summary>
    private static List<string> AsConverted(string service, string table, List<string> rows)
    {
        if (service is not ("quota" or "tenancy" or "billing" or "provisioning"))
        {
            return rows;
        }
        return [.. rows.Select(row =>
        {
            var columns = row.Split(" | ").Select(cell => cell.Split('=', 2)).ToDictionary(cell => cell[0], cell => cell[1]);
            switch (service, table)
            {
                case ("quota", "claims"):
                    FoldByClass(columns, "Amounts", "MemoryGib", "PublicIpv4", "StorageGib", "Vcpu");
                    break;
                case ("quota", _) when columns.TryGetValue("Class", out var number):
                    columns["Class"] = StandardClassesByNumber[int.Parse(number, CultureInfo.InvariantCulture) - 1];
                    if (table == "pool_inventories")
                    {
                        columns["AboveAlert"] = "0"; // issue 22's alert flag, raised by the next check if the pool is past 85 %
                    }
                    break;
                case ("tenancy", "Facilities"):
                    FoldByClass(columns, "InstalledCapacity", "InstalledCapacity_MemoryGib", "InstalledCapacity_PublicIpv4", "InstalledCapacity_StorageGib", "InstalledCapacity_Vcpu");
                    break;
                case ("tenancy", "Agreements"):
                    FoldByClass(columns, "Slice", "Slice_MemoryGib", "Slice_PublicIpv4", "Slice_StorageGib", "Slice_Vcpu");
                    FoldByClass(columns, "PriceTerms_UnitPricesXof", "PriceTerms_MemoryGibHourXof", "PriceTerms_PublicIpv4MonthXof", "PriceTerms_StorageGibMonthXof", "PriceTerms_VcpuHourXof");
                    break;
                case ("billing", "price_catalogues" or "known_agreements") or ("provisioning", "agreements_in_force" or "known_prices"):
                    FoldByClass(columns, "UnitPrices", "Prices_MemoryGibHourXof", "Prices_PublicIpv4MonthXof", "Prices_StorageGibMonthXof", "Prices_VcpuHourXof");
                    break;
                case ("billing", "usage_events"):
                    FoldByClass(columns, "Size", "Size_MemoryGib", "Size_PublicIpv4", "Size_StorageGib", "Size_Vcpu");
                    FoldByClass(columns, "OldSize", "OldSize_MemoryGib", "OldSize_PublicIpv4", "OldSize_StorageGib", "OldSize_Vcpu");
                    break;
                case ("billing", "usage_segments"):
                    FoldByClass(columns, "Size", "Size_MemoryGib", "Size_PublicIpv4", "Size_StorageGib", "Size_Vcpu");
                    break;
                case ("provisioning", "vms"):
                    columns["TargetSize"] = columns["TargetVcpu"] == "∅" ? "∅"
                        : Fold(columns, ("memory_gib", "TargetMemoryGib"), ("public_ipv4", "PublicIpv4"), ("storage_gib", "TargetDiskGib"), ("vcpu", "TargetVcpu"));
                    columns["Size"] = Fold(columns, ("memory_gib", "MemoryGib"), ("public_ipv4", "PublicIpv4"), ("storage_gib", "DiskGib"), ("vcpu", "Vcpu"));
                    Remove(columns, "TargetMemoryGib", "TargetDiskGib", "TargetVcpu", "MemoryGib", "PublicIpv4", "DiskGib", "Vcpu");
                    break;
                case ("provisioning", "hosting_requests"):
                    FoldByClass(columns, "Total", "TotalMemoryGib", "TotalPublicIpv4", "TotalDiskGib", "TotalVcpu");
                    columns["VmLinesJson"] = LinesByClass(columns["VmLinesJson"]);
                    break;
                case ("provisioning", "facility_flavours"):
                    columns["Shape"] = Fold(columns, ("memory_gib", "MemoryGib"), ("storage_gib", "DiskGib"), ("vcpu", "Vcpu"));
                    Remove(columns, "MemoryGib", "DiskGib", "Vcpu");
                    break;
                case ("provisioning", "auto_approval_policies"):
                    columns["Enabled"] = columns["MaxVcpu"] == "0" ? "0" : columns["Enabled"]; // at most 0 vCPU approved nothing
                    columns["MaxPerRequest"] = Fold(columns, ("vcpu", "MaxVcpu"));
                    Remove(columns, "MaxVcpu");
                    break;
                case ("provisioning", "known_projects"):
                    columns["Name"] = "∅"; // issue 23: names are kept from then on; a project known before has none
                    break;
                case ("billing", "invoice_lines"):
                    columns["ResourceClass"] = StandardClassesByNumber[int.Parse(columns["Resource"], CultureInfo.InvariantCulture) - 1];
                    columns.Remove("Resource");
                    break;
            }
            return string.Join(" | ", columns.Select(c => c.Key + "=" + c.Value).Order(StringComparer.Ordinal));
        }).Order(StringComparer.Ordinal)];
    }

    /// <summary>Four columns (memory, public IPv4, storage, vCPU: the classes' code order) become <paramref name="target"/>, their non-zero amounts as compact JSON.</summary>
    private static void FoldByClass(Dictionary<string, string> columns, string target, params string[] memoryIpv4StorageVcpu)
    {
        columns[target] = Fold(columns, [.. StandardClassesByNumber.Order(StringComparer.Ordinal).Zip(memoryIpv4StorageVcpu)]);
        Remove(columns, memoryIpv4StorageVcpu);
    }

    /// <summary>The non-zero amounts of <paramref name="byClass"/> (each class, in code order, with the column it comes from) as compact JSON.</summary>
    private static string Fold(Dictionary<string, string> columns, params (string Class, string Column)[] byClass) =>
        "{" + string.Join(",", byClass.Where(c => columns[c.Column] != "0").Select(c => $"\"{c.Class}\":{columns[c.Column]}")) + "}";

    private static void Remove(Dictionary<string, string> columns, params string[] names)
    {
        foreach (var name in names)
        {
            columns.Remove(name);
        }
    }

    /// <summary>A request's lines as provisioning's SizesByClass writes them: each VM's vCPU, memory, disk, address and accelerators as one list by class.</summary>
    private static string LinesByClass(string json) => new JsonArray([.. JsonNode.Parse(json)!.AsArray().Select(line => (JsonNode)new JsonObject
    {
        ["flavour"] = line!["flavour"]?.DeepClone(),
        ["resources"] = new JsonArray([.. new[]
            {
                ("vcpu", line["vcpu"]!.GetValue<long>()), ("memory_gib", line["memoryGib"]!.GetValue<long>()), ("storage_gib", line["diskGib"]!.GetValue<long>()),
                ("public_ipv4", line["publicIpv4"]!.GetValue<bool>() ? 1L : 0L),
            }
            .Concat((line["accelerators"] as JsonArray ?? []).Select(a => (a!["class"]!.GetValue<string>(), a["amount"]!.GetValue<long>())))
            .Where(a => a.Item2 != 0).OrderBy(a => a.Item1, StringComparer.Ordinal)
            .Select(a => (JsonNode)new JsonObject { ["class"] = a.Item1, ["amount"] = a.Item2 })]),
        ["image"] = line["image"]?.DeepClone(),
        ["count"] = line["count"]?.DeepClone(),
    })]).ToJsonString();

    private static string Text(object value) => value switch
    {
        DBNull => "∅",
        // SQLite keeps a boolean as a number; PostgreSQL's reads as a bool: one spelling for both.
        bool flag => flag ? "1" : "0",
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
        // The newest installed PostgreSQL's psql, as deploy/scripts/infra.sh picks its server.
        var psql = (Directory.Exists("/usr/lib/postgresql") ? Directory.GetFiles("/usr/lib/postgresql", "psql", SearchOption.AllDirectories) : [])
            .OrderBy(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path))), out var major) ? major : 0).LastOrDefault() ?? "psql";
        var start = new ProcessStartInfo(psql) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (target.Password is { Length: > 0 } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }
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
