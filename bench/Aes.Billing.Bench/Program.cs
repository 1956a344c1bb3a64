using System.Diagnostics;
using Aes.Contracts.Billing.V1;
using Aes.Testing;
using Grpc.Net.Client;
using Npgsql;
using NpgsqlTypes;

// Billing benchmark: one month (October 2026) for 10,000 VMs of 100 agencies across the three
// states, a tenth of them resized mid-month, on PostgreSQL with fsync on. Measures rating and
// invoicing the month (DraftInvoices), issuing every invoice, and the ledger audit; reports the
// billing process's peak memory. Arguments: POSTGRES_CONNECTION [vms].

var postgres = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Aes.Billing.Bench POSTGRES_CONNECTION [vms]");
var vmCount = args.Length > 1 ? int.Parse(args[1]) : 10_000;
const int AgencyCount = 100;

var database = new NpgsqlConnectionStringBuilder(postgres) { Database = "bench_billing" }.ConnectionString;
var http = Infra.FreePort();
var grpc = Infra.FreePort();
await using var issuer = await TestIssuer.StartAsync();
await using var billing = ServiceProcess.Start("services/Billing", "Aes.Billing",
[
    .. issuer.TrustArguments(),
    $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{http}", "--Kestrel:Endpoints:http:Protocols=Http1",
    $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpc}", "--Kestrel:Endpoints:grpc:Protocols=Http2",
    "--Database:Provider=Postgres", $"--ConnectionStrings:billing-db={database}", "--Logging:LogLevel:Default=Warning",
], new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production" });
await billing.WaitUntilHealthyAsync($"http://127.0.0.1:{http}/health/ready", TimeSpan.FromSeconds(60));

// What tenancy would have announced and metering would have recorded, loaded in bulk.
var admin = Guid.NewGuid();
var operators = new Dictionary<string, Guid> { ["ML"] = Guid.NewGuid(), ["BF"] = Guid.NewGuid(), ["NE"] = Guid.NewGuid() };
(string State, string Zone)[] states = [("ML", "Africa/Bamako"), ("BF", "Africa/Ouagadougou"), ("NE", "Africa/Niamey")];
var facilities = new (Guid Id, string Code, string State)[] { (Guid.NewGuid(), "ML-BKO-1", "ML"), (Guid.NewGuid(), "BF-OUA-1", "BF"), (Guid.NewGuid(), "BF-BOB-1", "BF") };
var agencies = Enumerable.Range(0, AgencyCount).Select(i => (Id: Guid.NewGuid(), State: states[i % 3].State)).ToList();
var monthStart = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
var random = new Random(42);
var loading = Stopwatch.StartNew();
await using (var connection = new NpgsqlConnection(database))
{
    await connection.OpenAsync();
    foreach (var (state, zone) in states)
    {
        await Execute(connection, "INSERT INTO known_states (\"Code\", \"TimeZone\") VALUES (@p0, @p1)", state, zone);
        await Execute(connection, "INSERT INTO known_roles (\"UserId\", \"Role\", \"StateCode\") VALUES (@p0, 'state-operator', @p1)", operators[state], state);
    }
    await Execute(connection, "INSERT INTO known_roles (\"UserId\", \"Role\") VALUES (@p0, 'confederal-administrator')", admin);
    foreach (var (id, code, state) in facilities)
    {
        await Execute(connection, "INSERT INTO known_facilities (\"Id\", \"Code\", \"StateCode\", \"Name\") VALUES (@p0, @p1, @p2, @p1)", id, code, state);
        // A price change on 16 October: every resource of every facility has two price periods.
        await Execute(connection, """
            INSERT INTO price_catalogues ("Id", "FacilityId", "EffectiveFrom", "EffectiveUntil", "Currency", "CreatedBy", "CreatedAt", "UnitPrices")
            VALUES (@p0, @p1, '2026-01-01Z', '2026-10-16Z', 'XOF', @p2, now(), '{"memory_gib":5,"public_ipv4":2500,"storage_gib":60,"vcpu":25}'),
                   (@p3, @p1, '2026-10-16Z', NULL, 'XOF', @p2, now(), '{"memory_gib":5,"public_ipv4":2500,"storage_gib":65,"vcpu":27}')
            """, Guid.NewGuid(), id, operators[state], Guid.NewGuid());
    }
    // Niger's agencies are guests in Mali under an agreement with its own prices.
    await Execute(connection, """
        INSERT INTO known_agreements ("Id", "HostStateCode", "FacilityId", "GuestStateCode", "FacilityListPrice", "StartsAt", "EndsAt", "UnitPrices")
        VALUES (@p0, 'ML', @p1, 'NE', false, '2026-02-01Z', '2028-01-31Z', '{"memory_gib":4,"public_ipv4":2000,"storage_gib":50,"vcpu":20}')
        """, Guid.NewGuid(), facilities[0].Id);
    foreach (var (id, state) in agencies)
    {
        await Execute(connection, "INSERT INTO billing_accounts (\"AgencyId\", \"StateCode\", \"AgencyName\", \"Currency\", \"OpenedAt\") VALUES (@p0, @p1, @p2, 'XOF', now())",
            id, state, $"Organisme {id:N}"[..20]);
    }
    await using var writer = await connection.BeginBinaryImportAsync("""
        COPY usage_segments ("Id", "VmId", "AgencyId", "AgencyStateCode", "FacilityId", "FacilityStateCode", "From", "Until",
          "Size") FROM STDIN (FORMAT BINARY)
        """);
    var segments = 0;
    for (var i = 0; i < vmCount; i++)
    {
        var (agency, state) = agencies[i % AgencyCount];
        var facility = state == "BF" ? facilities[1 + i % 2] : facilities[0];
        var vm = Guid.NewGuid();
        var from = monthStart.AddDays(-random.Next(0, 60)).AddSeconds(random.Next(0, 86_400));
        long[] size = [1 + random.Next(16), 2 + random.Next(64), 20 * (1 + random.Next(50)), random.Next(10) == 0 ? 1 : 0];
        DateTime? until = random.Next(5) == 0 ? monthStart.AddDays(random.Next(1, 30)).AddSeconds(random.Next(86_400)) : null;
        if (i % 10 == 0)
        {
            var resize = monthStart.AddDays(random.Next(2, 28)).AddSeconds(random.Next(86_400));
            until = null;
            Row(writer, vm, agency, state, facility, from, resize, size);
            Row(writer, vm, agency, state, facility, resize, until, [size[0] * 2, size[1] * 2, size[2], size[3]]);
            segments += 2;
            continue;
        }
        Row(writer, vm, agency, state, facility, from, until, size);
        segments++;
    }
    await writer.CompleteAsync();
    await writer.CloseAsync();
    await Execute(connection, "ANALYZE");
    Console.WriteLine($"Loaded {vmCount:N0} VMs ({segments:N0} usage periods) of {AgencyCount} agencies in {loading.Elapsed.TotalSeconds:F1} s");

    void Row(NpgsqlBinaryImporter row, Guid vm, Guid agency, string state, (Guid Id, string Code, string State) facility, DateTime from, DateTime? until, long[] size)
    {
        row.StartRow();
        row.Write(Guid.NewGuid(), NpgsqlDbType.Uuid);
        row.Write(vm, NpgsqlDbType.Uuid);
        row.Write(agency, NpgsqlDbType.Uuid);
        row.Write(state, NpgsqlDbType.Varchar);
        row.Write(facility.Id, NpgsqlDbType.Uuid);
        row.Write(facility.State, NpgsqlDbType.Varchar);
        row.Write(new DateTime(from.Ticks - from.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
        if (until is { } end)
        {
            row.Write(new DateTime(end.Ticks - end.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
        }
        else
        {
            row.WriteNull();
        }
        // The VM's size by class as billing keeps it: compact JSON, classes in ordinal order, zeros left out.
        var classes = new[] { ("memory_gib", size[1]), ("public_ipv4", size[3]), ("storage_gib", size[2]), ("vcpu", size[0]) };
        row.Write("{" + string.Join(",", classes.Where(c => c.Item2 != 0).Select(c => $"\"{c.Item1}\":{c.Item2}")) + "}", NpgsqlDbType.Varchar);
    }
}

using var channel = issuer.Channel($"http://127.0.0.1:{grpc}");
var client = new BillingService.BillingServiceClient(channel);
var deadline = DateTime.UtcNow.AddMinutes(10);

var drafting = Stopwatch.StartNew();
var drafted = await client.DraftInvoicesAsync(new DraftInvoicesRequest { ActorUserId = admin.ToString(), Month = "2026-10" }, deadline: deadline);
drafting.Stop();
Console.WriteLine($"Rate and invoice 2026-10: {drafting.Elapsed.TotalSeconds:F2} s — {drafted.Drafted} invoices, {drafted.Lines:N0} lines, {drafted.TotalXof:N0} XOF (target ≤ 10 s)");

var redrafting = Stopwatch.StartNew();
await client.DraftInvoicesAsync(new DraftInvoicesRequest { ActorUserId = admin.ToString(), Month = "2026-10" }, deadline: deadline);
Console.WriteLine($"Rate again over the drafts: {redrafting.Elapsed.TotalSeconds:F2} s");

var invoices = await client.ListInvoicesAsync(new ListInvoicesRequest { ActorUserId = admin.ToString(), Month = "2026-10" });
var issuing = Stopwatch.StartNew();
await Parallel.ForEachAsync(invoices.Invoices, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (invoice, _) =>
    await client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = operators[invoice.StateCode].ToString(), InvoiceId = invoice.Id }));
Console.WriteLine($"Issue {invoices.Invoices.Count} invoices (rated again, numbered, posted): {issuing.Elapsed.TotalSeconds:F2} s");

var settling = Stopwatch.StartNew();
var settlement = await client.CloseSettlementAsync(new CloseSettlementRequest { ActorUserId = admin.ToString(), Month = "2026-10" });
Console.WriteLine($"Close the settlement: {settling.Elapsed.TotalSeconds:F2} s — NE owes ML {settlement.Statements.Single(s => s.DebtorStateCode == "NE" && s.CreditorStateCode == "ML").AmountXof:N0} XOF, positions sum {settlement.Positions.Sum(p => p.NetXof)}");

var auditing = Stopwatch.StartNew();
var audit = await client.AuditLedgerAsync(new AuditLedgerRequest { ActorUserId = admin.ToString() }, deadline: deadline);
Console.WriteLine($"Ledger audit: {auditing.Elapsed.TotalSeconds:F2} s — balanced {audit.Balanced}, {audit.InvoiceLinesChecked:N0} lines checked, {audit.Problems.Count} problems");

var status = await File.ReadAllLinesAsync($"/proc/{billing.ProcessId}/status");
Console.WriteLine($"Billing process peak memory (VmHWM): {status.Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(':')[1].Trim()}");
await billing.InterruptAsync(TimeSpan.FromSeconds(30));
return audit.Balanced && audit.Problems.Count == 0 ? 0 : 1;

static async Task Execute(NpgsqlConnection connection, string sql, params object[] parameters)
{
    await using var command = new NpgsqlCommand(sql, connection);
    for (var i = 0; i < parameters.Length; i++)
    {
        command.Parameters.AddWithValue($"p{i}", parameters[i]);
    }
    await command.ExecuteNonQueryAsync();
}
