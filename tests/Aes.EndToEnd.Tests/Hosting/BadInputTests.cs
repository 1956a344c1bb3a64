using System.Collections;
using System.Security.Cryptography;
using Aes.Messaging;
using CsCheck;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>The embedded run with its demo data, for the bad-input suite alone: whatever it accepts stays here.</summary>
public sealed class BadInputMarketplace : LaunchedMarketplace
{
    public BadInputMarketplace() : base("badinput") { }

    protected override bool OnPostgres => false;

    public override ValueTask InitializeAsync() => new(LaunchAsync());

    public GrpcChannel Channel(string service) => Marketplace.Channel(service);

    public string HttpAddress(string service) => Marketplace.HttpAddress(service);

    public bool Running => !Marketplace.Process.HasExited;
}

/// <summary>
/// Property-based bad input against every gRPC method of the four services and their audit trails:
/// CsCheck draws each request from the method's own message description, field by field, with wrong
/// and extreme values (empty, 5,000 characters, Arabic and emoji, control characters, 2^63, NaN,
/// undefined enum numbers, timestamps out of range, unknown and existing ids, missing fields, repeated
/// lists). Calls are made as a service (the harness), which passes the access checks, so the input
/// reaches validation. Every answer must be a deliberate one, never Internal or Unknown; a refused
/// call must leave the service's database exactly as it was; and every service must still be up.
/// </summary>
public sealed class BadInputTests(BadInputMarketplace m) : IClassFixture<BadInputMarketplace>
{
    private const int InputsPerMethod = 20;
    private static readonly StatusCode[] ServerFaults = [StatusCode.Internal, StatusCode.Unknown, StatusCode.DataLoss, StatusCode.Unimplemented];

    private static readonly (string Service, ServiceDescriptor Descriptor)[] Apis =
    [
        (ResourceNames.Tenancy, Aes.Contracts.Tenancy.V1.TenancyReflection.Descriptor.Services.Single()),
        (ResourceNames.Quota, Aes.Contracts.Quota.V1.QuotaReflection.Descriptor.Services.Single()),
        (ResourceNames.Billing, Aes.Contracts.Billing.V1.BillingReflection.Descriptor.Services.Single()),
        (ResourceNames.Provisioning, Aes.Contracts.Provisioning.V1.ProvisioningReflection.Descriptor.Services.Single()),
        (ResourceNames.Notifications, Aes.Contracts.Notifications.V1.NotificationsReflection.Descriptor.Services.Single()),
        .. ResourceNames.Services.Select(service => (service, Aes.Contracts.Audit.V1.AuditReflection.Descriptor.Services.Single())),
    ];

    [Fact]
    public async Task No_grpc_method_answers_bad_input_with_a_server_fault_or_changes_anything_when_it_refuses()
    {
        var known = await KnownIdsAsync();
        var tried = 0;
        var refused = 0;
        var faults = new List<string>();
        var changed = new List<string>();
        foreach (var (service, api) in Apis)
        {
            var invoker = m.Channel(service).CreateCallInvoker();
            foreach (var method in api.Methods.Where(method => !method.IsClientStreaming && !method.IsServerStreaming))
            {
                var call = new Method<IMessage, IMessage>(MethodType.Unary, api.FullName, method.Name,
                    Marshaller(method.InputType), Marshaller(method.OutputType));
                var reads = method.Name.StartsWith("Get", StringComparison.Ordinal) || method.Name.StartsWith("List", StringComparison.Ordinal)
                    || method.Name is "Verify" or "PreviewPlacement";
                await Check.SampleAsync(MessageOf(method.InputType, known, depth: 0), async request =>
                {
                    var before = reads ? null : await FingerprintAsync(service);
                    tried++;
                    try
                    {
                        await invoker.AsyncUnaryCall(call, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), request);
                        if (!reads)
                        {
                            await Task.Delay(300); // what it accepted may be followed by events: let them settle
                        }
                    }
                    catch (RpcException exception)
                    {
                        refused++;
                        if (ServerFaults.Contains(exception.StatusCode))
                        {
                            faults.Add($"{service} {method.Name} → {exception.StatusCode} {exception.Status.Detail}: {Describe(request)}");
                        }
                        else if (before is not null && await FingerprintAsync(service) is var after && before != after)
                        {
                            changed.Add($"{service} {method.Name} refused ({exception.StatusCode}) but changed its database ({ChangedTables(before, after)}): {Describe(request)}");
                        }
                    }
                }, iter: InputsPerMethod, threads: 1);
            }
        }

        var report = $"gRPC bad-input suite: {tried} inputs tried over {Apis.Sum(a => a.Descriptor.Methods.Count)} methods, {refused} refused, "
            + $"{faults.Count} server faults, {changed.Count} refusals that changed state";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(Aes.Testing.RepositoryPaths.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(Aes.Testing.RepositoryPaths.Root, "artifacts", "bad-input-grpc.txt"), report + "\n");
        Assert.True(tried >= 1_000, $"only {tried} inputs tried");
        Assert.True(faults.Count == 0, $"{faults.Count} of {tried} inputs got a server fault:\n" + string.Join("\n", faults.Take(20)));
        Assert.True(changed.Count == 0, string.Join("\n", changed.Take(20)));
        Assert.True(m.Running, "the marketplace is still running");
        using var http = new HttpClient();
        foreach (var service in ResourceNames.Services.Append(ResourceNames.Portal))
        {
            Assert.True((await http.GetAsync($"{m.HttpAddress(service)}/health/ready")).IsSuccessStatusCode, $"{service} is still ready");
        }
    }

    [Fact]
    public async Task No_rest_operation_that_refuses_bad_input_changes_anything()
    {
        // Every write operation of the published contract, as three real users (the code flow), with each
        // parameter and field drawn on its own; a refused request must leave all four services' databases as they were.
        using var anonymous = new HttpClient { BaseAddress = new Uri(m.HttpAddress(ResourceNames.Portal)) };
        var contract = System.Text.Json.JsonDocument.Parse(await anonymous.GetStringAsync("/api/v1/openapi.json")).RootElement;
        var users = new List<HttpClient>();
        foreach (var user in new[] { "op.ml", "admin.aes", "agent.mef.ml" })
        {
            using var flow = new Aes.Testing.CodeFlowClient(m.HttpAddress(ResourceNames.Tenancy) + "/");
            var client = OpenApiConformance.Client(m.HttpAddress(ResourceNames.Portal)); // every answer held to the document
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await flow.AccessTokenForAsync(user, "aes-demo-2026"));
            users.Add(client);
        }
        var tried = 0;
        var refused = 0;
        var changed = new List<string>();
        foreach (var operation in HostileRest.Operations(contract).Where(o => o.Writes))
        {
            await Check.SampleAsync(operation.Inputs, async values =>
            {
                var http = users[tried++ % users.Count];
                var (status, differs) = await SendAndCompareAsync(http, operation, values);
                if (status is >= 400 and < 500 && differs is not null)
                {
                    // What an earlier accepted request set going (its events) may still be settling: once the
                    // databases are quiet, the same request must again change nothing.
                    await QuietAsync();
                    (status, differs) = await SendAndCompareAsync(http, operation, values);
                }
                if (status is >= 400 and < 500)
                {
                    refused++;
                    if (differs is not null)
                    {
                        changed.Add($"{operation.Describe(values)} refused ({status}) but changed a database ({differs})");
                    }
                }
            }, iter: 10, threads: 1);
        }
        foreach (var user in users) user.Dispose();

        var report = $"REST bad-input suite (writes, state checked): {tried} inputs tried, {refused} refused, {changed.Count} refusals that changed state";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(Aes.Testing.RepositoryPaths.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(Aes.Testing.RepositoryPaths.Root, "artifacts", "bad-input-rest.txt"), report + "\n");
        Assert.True(tried >= 100, $"only {tried} inputs tried");
        Assert.True(refused >= tried / 2, $"only {refused} of {tried} refused: the inputs do not reach validation");
        Assert.True(changed.Count == 0, string.Join("\n", changed.Take(20)));
    }

    /// <summary>The answer's status, and for a refusal the tables it changed (null when none).</summary>
    private async Task<(int Status, string? Differs)> SendAndCompareAsync(HttpClient http, HostileRest.Operation operation, object?[] values)
    {
        var before = await FingerprintAllAsync();
        using var request = operation.Request(values);
        using var response = await http.SendAsync(request);
        var status = (int)response.StatusCode;
        Assert.True(status < 500, $"{operation.Describe(values)}: {status} {await response.Content.ReadAsStringAsync()}");
        if (status < 400)
        {
            await Task.Delay(300); // what it accepted may be followed by events: let them settle
            return (status, null);
        }
        var after = await FingerprintAllAsync();
        return (status, before == after ? null : ChangedTables(before, after));
    }

    /// <summary>Waits until the four databases stay the same for a second (at most 20 s).</summary>
    private async Task QuietAsync()
    {
        var last = await FingerprintAllAsync();
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(1_000);
            var now = await FingerprintAllAsync();
            if (now == last)
            {
                return;
            }
            last = now;
        }
    }

    /// <summary>The four services' fingerprints, each table named after its service.</summary>
    private async Task<string> FingerprintAllAsync()
    {
        var services = await Task.WhenAll(ResourceNames.Services.Select(async service =>
            string.Join(';', (await FingerprintAsync(service)).Split(';').Select(table => $"{service}.{table}"))));
        return string.Join(';', services);
    }

    private static Marshaller<IMessage> Marshaller(MessageDescriptor descriptor) =>
        Marshallers.Create(message => message.ToByteArray(), bytes => descriptor.Parser.ParseFrom(bytes));

    /// <summary>Ids that exist, so that some inputs get past "not found" to the deeper checks.</summary>
    private async Task<string[]> KnownIdsAsync()
    {
        var tenancy = new Aes.Contracts.Tenancy.V1.TenancyService.TenancyServiceClient(m.Channel(ResourceNames.Tenancy));
        var agencies = (await tenancy.ListAgenciesAsync(new Aes.Contracts.Tenancy.V1.ListAgenciesRequest())).Agencies.Select(a => a.Id);
        var users = (await tenancy.ListUsersAsync(new Aes.Contracts.Tenancy.V1.ListUsersRequest())).Users.Select(u => u.Id);
        var facilities = (await tenancy.ListFacilitiesAsync(new Aes.Contracts.Tenancy.V1.ListFacilitiesRequest())).Facilities.Select(f => f.Id);
        return [.. agencies, .. users, .. facilities];
    }

    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.Const(""), Gen.Const(" "), Gen.Const("\0\u0001\u001f"), Gen.Const("ML"), Gen.Const("NE"), Gen.Const("XX"), Gen.Const("ml"),
        Gen.Const("2026-13"), Gen.Const("2026-11"), Gen.Const("9223372036854775808"), Gen.Const("-1"), Gen.Const("not-a-guid"),
        Gen.Const("00000000-0000-0000-0000-000000000000"), Gen.Const("vcpu"), Gen.Const("strategic"), Gen.Const("s1.large"),
        Gen.Const(new string('ß', 5_000) + "مرحبا𝄞"), Gen.Const("ⵜⴰⵎⴰⵣⵉⵖⵜ — ߒߞߏ"), Gen.Const("'; DROP TABLE claims; --"),
        Gen.String[0, 40], Gen.Guid.Select(guid => guid.ToString()));

    private static readonly Gen<long> Numbers = Gen.OneOf(
        Gen.Const(0L), Gen.Const(-1L), Gen.Const(1L), Gen.Const(long.MaxValue), Gen.Const(long.MinValue), Gen.Const((long)int.MaxValue + 1),
        Gen.Long, Gen.Long[-10, 10_000]);

    private static readonly Gen<double> Reals = Gen.OneOf(
        Gen.Const(double.NaN), Gen.Const(double.PositiveInfinity), Gen.Const(double.NegativeInfinity), Gen.Const(1e308), Gen.Const(-0.0), Gen.Double);

    /// <summary>A request of this type: each field present or missing, with a value of its kind drawn to hurt.</summary>
    private static Gen<IMessage> MessageOf(MessageDescriptor descriptor, string[] known, int depth)
    {
        var assignments = Gen.Const(new List<Action<IMessage>>());
        foreach (var field in descriptor.Fields.InDeclarationOrder().Where(field => !field.IsMap))
        {
            var value = ValueOf(field, known, depth);
            if (value is null)
            {
                continue;
            }
            var assignment = field.IsRepeated
                ? value.Array[0, 3].Select(values => (Action<IMessage>)(message =>
                {
                    var list = (IList)field.Accessor.GetValue(message);
                    foreach (var item in values)
                    {
                        list.Add(item);
                    }
                }))
                : value.Select(item => (Action<IMessage>)(message => field.Accessor.SetValue(message, item)));
            var present = Gen.Frequency((3, assignment), (1, Gen.Const<Action<IMessage>>(_ => { })));
            assignments = assignments.SelectMany(list => present.Select(action => new List<Action<IMessage>>(list) { action }));
        }
        return assignments.Select(list =>
        {
            var message = descriptor.Parser.ParseFrom(ByteString.Empty);
            foreach (var assign in list)
            {
                assign(message);
            }
            return message;
        });
    }

    private static Gen<object>? ValueOf(FieldDescriptor field, string[] known, int depth) => field.FieldType switch
    {
        FieldType.String => Gen.Frequency((4, Texts), (1, Gen.OneOf(known.Select(Gen.Const).ToArray()))).Select(text => (object)text),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Numbers.Select(number => (object)number),
        FieldType.UInt64 or FieldType.Fixed64 => Numbers.Select(number => (object)unchecked((ulong)number)),
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => Numbers.Select(number => (object)unchecked((int)number)),
        FieldType.UInt32 or FieldType.Fixed32 => Numbers.Select(number => (object)unchecked((uint)number)),
        FieldType.Bool => Gen.Bool.Select(flag => (object)flag),
        FieldType.Double => Reals.Select(real => (object)real),
        FieldType.Float => Reals.Select(real => (object)(float)real),
        FieldType.Bytes => Gen.Byte.Array[0, 64].Select(bytes => (object)ByteString.CopyFrom(bytes)),
        FieldType.Enum => Gen.Int[-2, 12].Select(number => Enum.ToObject(field.EnumType.ClrType, number)),
        FieldType.Message when depth < 3 => MessageOf(field.MessageType, known, depth + 1).Select(message => (object)message),
        _ => null,
    };

    private static string Describe(IMessage message)
    {
        var text = JsonFormatter.ToDiagnosticString(message); // shows invalid timestamps instead of throwing on them
        return text.Length <= 300 ? text : text[..300] + "…";
    }

    /// <summary>
    /// Everything the service keeps, as one hash: every row of every table (the outbox by its count:
    /// the relay marks rows sent in the background), but the facility monitor's own clock (when each
    /// facility was last probed and how fast it answered), which moves every minute whatever is asked.
    /// </summary>
    private async Task<string> FingerprintAsync(string service)
    {
        await using var connection = (SqliteConnection)m.ServiceDatabase(service);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'facility_watches' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var fingerprint = new List<string>();
        foreach (var table in tables)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var command = connection.CreateCommand();
            command.CommandText = table is "outbox_messages" or "inbox_messages"
                ? $"SELECT count(*) FROM \"{table}\""
                : $"SELECT * FROM \"{table}\" ORDER BY rowid";
            await using var reader = await command.ExecuteReaderAsync();
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(table));
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) + "\u001f"));
                }
            }
            fingerprint.Add($"{table}={Convert.ToHexString(hash.GetHashAndReset())}");
        }
        return string.Join(';', fingerprint);
    }

    /// <summary>The tables whose rows differ between two fingerprints.</summary>
    private static string ChangedTables(string before, string after) =>
        string.Join(", ", after.Split(';').Except(before.Split(';')).Select(entry => entry.Split('=')[0]));
}
