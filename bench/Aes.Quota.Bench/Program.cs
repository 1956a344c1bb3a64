using System.Collections.Concurrent;
using System.Diagnostics;
using Aes.Contracts.Quota.V1;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;

// Quota benchmark: 1,000 pools (OpenStack Placement's perfload size), candidates latency, and claims
// per second at 1, 16 and 64 concurrent gRPC clients against PostgreSQL with fsync on. Ends by
// checking that nothing was overcommitted. Arguments: POSTGRES_CONNECTION [seconds-per-run].
// AES_BENCH_CLASSES=6 adds two GPU classes to the catalogue, gives one pool in ten GPUs of both, and makes one
// claim in ten ask for a GPU on such a pool (issue 21: six classes within 10 % of four).

var postgres = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Aes.Quota.Bench POSTGRES_CONNECTION [seconds]");
var seconds = args.Length > 1 ? int.Parse(args[1]) : 10;
const int PoolCount = 1000;
const int AgencyCount = 64;
string[] standardClasses = ["vcpu", "memory_gib", "storage_gib", "public_ipv4"];
string[] gpuClasses = Environment.GetEnvironmentVariable("AES_BENCH_CLASSES") == "6" ? ["gpu_a100_80g", "gpu_l40s"] : [];
Console.WriteLine($"Classes: {standardClasses.Length + gpuClasses.Length}{(gpuClasses.Length > 0 ? " (one pool in ten with GPUs, one claim in ten asking for one)" : "")}");

var database = new NpgsqlConnectionStringBuilder(postgres) { Database = "bench_quota" }.ConnectionString;
var http = Infra.FreePort();
var grpc = Infra.FreePort();
await using var issuer = await TestIssuer.StartAsync();
await using var quota = ServiceProcess.Start("services/Quota", "Aes.Quota",
[
    .. issuer.TrustArguments(),
    $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{http}", "--Kestrel:Endpoints:http:Protocols=Http1",
    $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpc}", "--Kestrel:Endpoints:grpc:Protocols=Http2",
    "--Database:Provider=Postgres", $"--ConnectionStrings:quota-db={database}{PoolSize()}",
    "--Logging:LogLevel:Default=Warning", "--Quota:SweepInterval=00:10:00",
], new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production" });
await quota.WaitUntilHealthyAsync($"http://127.0.0.1:{http}/health/ready", TimeSpan.FromSeconds(60));

// What tenancy would have announced: facilities, agencies with ample quota, and an operator per state.
var operatorId = Guid.NewGuid();
var facilities = Enumerable.Range(0, 10).Select(i => (Id: Guid.NewGuid(), Code: $"ML-B{i:D2}-1")).ToList();
var agencies = Enumerable.Range(0, AgencyCount).Select(_ => Guid.NewGuid()).ToList();
await using (var connection = new NpgsqlConnection(database))
{
    await connection.OpenAsync();
    await Execute(connection, "INSERT INTO known_roles (\"UserId\", \"Role\", \"StateCode\") VALUES (@p0, 'state-operator', 'ML')", operatorId);
    foreach (var facility in facilities)
    {
        await Execute(connection, "INSERT INTO known_facilities (\"FacilityId\", \"Code\", \"StateCode\", \"Status\") VALUES (@p0, @p1, 'ML', 'open')", facility.Id, facility.Code);
    }
    foreach (var gpu in gpuClasses)
    {
        await Execute(connection, "INSERT INTO known_resource_classes (\"Code\", \"Unit\", \"DefinedAt\") VALUES (@p0, 'gpu', now())", gpu);
    }
    foreach (var agency in agencies)
    {
        await Execute(connection, "INSERT INTO known_agencies (\"AgencyId\", \"StateCode\") VALUES (@p0, 'ML')", agency);
        foreach (var resourceClass in standardClasses.Concat(gpuClasses))
        {
            await Execute(connection, "INSERT INTO agency_allocations (\"AgencyId\", \"Class\", \"StateCode\", \"Limit\", \"Overridden\", \"Used\") VALUES (@p0, @p1, 'ML', 100000000, true, 0)", agency, resourceClass);
        }
    }
}

using var channel = issuer.Channel($"http://127.0.0.1:{grpc}", handler: new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
var client = new QuotaService.QuotaServiceClient(channel);

var loading = Stopwatch.StartNew();
var pools = new ConcurrentBag<string>();
var gpuPoolBag = new ConcurrentBag<string>();
await Parallel.ForEachAsync(Enumerable.Range(0, PoolCount), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
{
    var pool = await client.CreatePoolAsync(new CreatePoolRequest { ActorUserId = operatorId.ToString(), FacilityId = facilities[i % facilities.Count].Id.ToString(), Name = $"pool-{i:D4}" });
    foreach (var (resourceClass, total, ratio) in new[] { ("vcpu", 512L, "4.0"), ("memory_gib", 4096L, "1.0"), ("storage_gib", 200_000L, "1.0"), ("public_ipv4", 32L, "1.0") })
    {
        await client.SetInventoryAsync(new SetInventoryRequest { ActorUserId = operatorId.ToString(), PoolId = pool.Id, ResourceClass = resourceClass, Total = total, Reserved = 8, AllocationRatio = ratio });
    }
    if (gpuClasses.Length > 0 && i % 10 == 0)
    {
        // Enough GPUs that the runs do not exhaust them: the refusal path is not what is measured.
        foreach (var gpu in gpuClasses)
        {
            await client.SetInventoryAsync(new SetInventoryRequest { ActorUserId = operatorId.ToString(), PoolId = pool.Id, ResourceClass = gpu, Total = 100_000, AllocationRatio = "1.0" });
        }
        gpuPoolBag.Add(pool.Id);
    }
    pools.Add(pool.Id);
});
var poolIds = pools.ToArray();
var gpuPools = gpuPoolBag.ToArray();
Console.WriteLine($"Loaded {PoolCount} pools in {loading.Elapsed.TotalSeconds:F1} s");
// What autovacuum does within a minute of a bulk load: fresh planner statistics, as a running system has.
await using (var connection = new NpgsqlConnection(database))
{
    await connection.OpenAsync();
    await Execute(connection, "ANALYZE");
}

// Candidates: one client, 2,000 queries, for an agency that may use every pool.
var vm = Size(4, 16, 200);
for (var i = 0; i < 100; i++) await client.ListCandidatesAsync(new ListCandidatesRequest { AgencyId = agencies[0].ToString(), VmByClass = { vm }, Count = 3 });
var candidateLatencies = new List<double>();
var found = 0;
for (var i = 0; i < 2000; i++)
{
    var watch = Stopwatch.StartNew();
    var result = await client.ListCandidatesAsync(new ListCandidatesRequest { AgencyId = agencies[i % AgencyCount].ToString(), VmByClass = { vm }, Count = 1 + i % 8 });
    candidateLatencies.Add(watch.Elapsed.TotalMilliseconds);
    found = result.Candidates.Count;
}
Console.WriteLine($"| candidates (1 client, {PoolCount} pools, {found} fit) | {Percentile(candidateLatencies, 50):F2} ms | {Percentile(candidateLatencies, 95):F2} ms | {Percentile(candidateLatencies, 99):F2} ms | target p95 ≤ 20 ms |");

var failures = 0;
Console.WriteLine("| scenario | claims/s | p50 | p95 | p99 | refused | errors | CPU ms per claim: quota / PostgreSQL / load |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (var clients in new[] { 1, 16, 64 })
{
    await RunClaimsAsync($"{clients} clients, random pools, one agency each", clients, i => agencies[i % AgencyCount], _ => poolIds[Random.Shared.Next(poolIds.Length)]);
}
// The target as a rate: 64 clients together offering 1,000 claims/s, latency from each scheduled send.
await RunClaimsAsync("64 clients offering 1,000 claims/s together (open loop)", 64, i => agencies[i % AgencyCount],
    _ => poolIds[Random.Shared.Next(poolIds.Length)], ratePerSecond: 1000);
// The worst case on purpose: everyone on one agency and one pool, to show serialisation on a hot row.
await RunClaimsAsync("64 clients, ONE pool and ONE agency (hot rows)", 64, _ => agencies[0], _ => poolIds[0], vcpu: 0, storage: 1);

await using (var connection = new NpgsqlConnection(database))
{
    await connection.OpenAsync();
    var overPools = await Scalar(connection, "SELECT count(*) FROM pool_inventories WHERE \"Used\" > \"Capacity\"");
    var overQuota = await Scalar(connection, "SELECT count(*) FROM agency_allocations WHERE \"Used\" > \"Limit\"");
    var drift = await Scalar(connection, """
        SELECT count(*) FROM pool_inventories i LEFT JOIN (
          SELECT "PoolId", a.key AS "Class", sum(a.value::bigint) AS amount
          FROM claims, json_each_text("Amounts"::json) a WHERE "Status" IN (1, 2) GROUP BY "PoolId", a.key) c
          ON c."PoolId" = i."PoolId" AND c."Class" = i."Class"
        WHERE i."Used" <> coalesce(c.amount, 0)
        """);
    var claims = await Scalar(connection, "SELECT count(*) FROM claims");
    if (Environment.GetEnvironmentVariable("AES_BENCH_PG_STATS") == "1")
    {
        await PrintStatementStats(connection);
    }
    Console.WriteLine($"Overcommit check over {claims} claims: {overPools} inventories over capacity, {overQuota} allocations over quota, {drift} inventories whose usage differs from the sum of their claims.");
    if (failures > 0)
    {
        Console.WriteLine($"{failures} claims failed with an unexpected error.");
        return 1;
    }
    if (overPools + overQuota + drift > 0)
    {
        Console.WriteLine("OVERCOMMIT DETECTED");
        return 1;
    }
}
return 0;

// With a rate, the clients share it on a fixed schedule (open loop) and each latency counts from the
// scheduled send, so a slow answer that delays the next send is not hidden (no coordinated omission).
async Task RunClaimsAsync(string name, int clients, Func<int, Guid> agencyOf, Func<int, string> poolOf, long vcpu = 1, long storage = 10,
    double? ratePerSecond = null)
{
    var latencies = new ConcurrentBag<double>();
    var granted = 0;
    var refused = 0;
    var errors = 0;
    var cpuBefore = CpuSplit();
    var deadline = DateTime.UtcNow.AddSeconds(seconds);
    var total = Stopwatch.StartNew();
    var interval = ratePerSecond is { } rate ? TimeSpan.FromSeconds(clients / rate) : TimeSpan.Zero;
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
    {
        var scheduled = total.Elapsed + interval * i / clients;
        while (DateTime.UtcNow < deadline)
        {
            if (ratePerSecond is not null)
            {
                var wait = scheduled - total.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }
            var request = new HoldRequest
            {
                ClaimId = Guid.NewGuid().ToString(), AgencyId = agencyOf(i).ToString(), PoolId = poolOf(i),
                AmountsByClass = { Size(vcpu, 1, storage) },
                ExpiresAt = Timestamp.FromDateTime(DateTime.UtcNow.AddHours(1)), Reference = "bench",
            };
            if (gpuPools.Length > 0 && vcpu > 0 && Random.Shared.Next(10) == 0)
            {
                request.PoolId = gpuPools[Random.Shared.Next(gpuPools.Length)];
                request.AmountsByClass.Add(new ResourceAmount { ResourceClass = gpuClasses[Random.Shared.Next(gpuClasses.Length)], Amount = 1 });
            }
            var sentAt = ratePerSecond is null ? total.Elapsed : scheduled;
            scheduled += interval;
            try
            {
                await client.HoldAsync(request);
                Interlocked.Increment(ref granted);
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.ResourceExhausted)
            {
                Interlocked.Increment(ref refused);
            }
            catch (RpcException exception)
            {
                if (Interlocked.Increment(ref errors) == 1)
                {
                    Console.WriteLine($"First unexpected error: {exception.Status}\n{string.Join('\n', quota.Output.Split('\n').Where(l => l.Contains("Exception") || l.Contains("fail")).Take(12))}");
                }
            }
            latencies.Add((total.Elapsed - sentAt).TotalMilliseconds);
        }
    }));
    var all = latencies.ToList();
    var cpu = CpuSplit();
    string PerClaim(double before, double after) => $"{(after - before) * 1000 / Math.Max(1, all.Count):F2}";
    Console.WriteLine($"| {name} | {all.Count / total.Elapsed.TotalSeconds:F0} | {Percentile(all, 50):F1} ms | {Percentile(all, 95):F1} ms | {Percentile(all, 99):F1} ms | {refused} | {errors} "
        + $"| {PerClaim(cpuBefore.Quota, cpu.Quota)} / {PerClaim(cpuBefore.Postgres, cpu.Postgres)} / {PerClaim(cpuBefore.Load, cpu.Load)} |");
    failures += errors;
}

// CPU seconds so far of the quota service, of every PostgreSQL process and of this load generator
// (/proc/PID/stat utime + stime), to tell which of the three the two cores are spent on.
(double Quota, double Postgres, double Load) CpuSplit()
{
    var postgresCpu = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsDigit))
        .Sum(pid => ReadComm(pid!).StartsWith("postgres", StringComparison.Ordinal) ? CpuSeconds(pid!) : 0);
    return (CpuSeconds(quota.ProcessId.ToString()), postgresCpu, CpuSeconds(Environment.ProcessId.ToString()));

    static string ReadComm(string pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm"); } catch (IOException) { return ""; }
    }

    static double CpuSeconds(string pid)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime, stime in clock ticks (USER_HZ = 100)
        }
        catch (IOException) { return 0; }
    }
}

static ResourceAmount[] Size(long vcpu, long memoryGib, long storageGib) =>
[
    new() { ResourceClass = "vcpu", Amount = vcpu }, new() { ResourceClass = "memory_gib", Amount = memoryGib },
    new() { ResourceClass = "storage_gib", Amount = storageGib },
];

static double Percentile(List<double> values, double percentile)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1)];
}

static async Task Execute(NpgsqlConnection connection, string sql, params object[] values)
{
    await using var command = new NpgsqlCommand(sql, connection);
    for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue($"p{i}", values[i]);
    await command.ExecuteNonQueryAsync();
}

static async Task<long> Scalar(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToInt64(await command.ExecuteScalarAsync());
}

// The service's own pool size unless AES_BENCH_DB_POOL sets one (to compare sizes).
static string PoolSize() => Environment.GetEnvironmentVariable("AES_BENCH_DB_POOL") is { Length: > 0 } size ? $";Maximum Pool Size={size}" : "";

// Where PostgreSQL spent its time (AES_BENCH_PG_STATS=1 loads pg_stat_statements): a diagnosis aid.
static async Task PrintStatementStats(NpgsqlConnection connection)
{
    await Execute(connection, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    await using var command = new NpgsqlCommand("""
        SELECT calls, round(total_exec_time::numeric, 0), round(mean_exec_time::numeric, 3), left(regexp_replace(query, '\s+', ' ', 'g'), 110)
        FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25
        """, connection);
    await using var reader = await command.ExecuteReaderAsync();
    Console.WriteLine("| calls | total ms | mean ms | statement |");
    while (await reader.ReadAsync())
    {
        Console.WriteLine($"| {reader.GetInt64(0)} | {reader.GetDecimal(1)} | {reader.GetDecimal(2)} | {reader.GetString(3)} |");
    }
}
