using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aes.Contracts.Tenancy.V1;
using Aes.Testing;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Aes.Integration.Tests.Identity;

/// <summary>
/// Tenancy's signing keys rotating under real tokens, on a real tenancy process with the periods shortened to
/// seconds: the next key is published before it signs, tokens signed by the previous one stay good, the keys
/// are protected at rest.
/// </summary>
public sealed class IssuerKeyRotationTests : IAsyncLifetime
{
    private const string DemoPassword = "aes-demo-2026";
    private readonly string _data = Infra.NewTempFolder("aes-keys");
    private readonly int _http = Infra.FreePort();
    private readonly int _grpc = Infra.FreePort();
    private ServiceProcess? _tenancy;

    private string Issuer => $"http://127.0.0.1:{_http}/";

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private string Database => $"Data Source={Path.Combine(_data, "tenancy.db")}";

    /// <summary>Tenancy on its own database; <paramref name="rotating"/>: with rotation periods shortened to seconds.</summary>
    private async Task StartTenancyAsync(bool rotating = true)
    {
        // A key signs for 24 s, is published 8 s before, and stays published 10 s after its successor took over: wide enough
        // for a token fetched on a loaded machine to come from the key the test expects.
        string[] periods = rotating
            ? ["--Identity:SigningKeys:RotationPeriod=00:00:24", "--Identity:SigningKeys:Prepublication=00:00:08",
                "--Identity:SigningKeys:RetiredKeptFor=00:00:10", "--Identity:SigningKeys:CheckInterval=00:00:00.500"]
            : [];
        _tenancy = ServiceProcess.Start("services/Tenancy", "Aes.Tenancy",
        [
            $"--Identity:Authority={Issuer}", .. TestKeyRing.Arguments(),
            $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{_http}", "--Kestrel:Endpoints:http:Protocols=Http1",
            $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{_grpc}", "--Kestrel:Endpoints:grpc:Protocols=Http2",
            $"--ConnectionStrings:tenancy-db=Data Source={Path.Combine(_data, "tenancy.db")}", "--Seed:Demo=true",
            .. periods,
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _tenancy!.WaitUntilHealthyAsync($"{Issuer}health/ready", TimeSpan.FromSeconds(180));
    }

    public async ValueTask DisposeAsync()
    {
        if (_tenancy is not null)
        {
            await _tenancy.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<string> TokenAsync()
    {
        using var flow = new CodeFlowClient(Issuer);
        return await flow.AccessTokenForAsync("op.ml", DemoPassword);
    }

    private async Task<List<string>> PublishedAsync()
    {
        using var http = new HttpClient();
        var keys = await http.GetFromJsonAsync<JsonElement>($"{Issuer}.well-known/jwks");
        return [.. keys.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    private async Task<StatusCode> CallWithAsync(string token)
    {
        using var channel = (await TestIssuer.SharedAsync()).Channel($"http://127.0.0.1:{_grpc}", () => token);
        try
        {
            // Not the public reference data, which answers without a token: a method that needs one.
            await new TenancyService.TenancyServiceClient(channel).ListAgenciesAsync(new ListAgenciesRequest());
            return StatusCode.OK;
        }
        catch (RpcException refused)
        {
            return refused.StatusCode;
        }
    }

    [Fact]
    public async Task The_next_key_is_published_before_it_signs_and_tokens_of_the_previous_one_stay_valid_while_keys_rotate()
    {
        await StartTenancyAsync();
        var first = await TokenAsync();
        Assert.Equal("aes-1", new JsonWebToken(first).Kid);

        // Before it signs anything, the next key is in the published set, so every service can have it first.
        await Eventually.HoldsAsync(async () => (await PublishedAsync()).Contains("aes-2"), TimeSpan.FromSeconds(60), "aes-2 is published");
        Assert.Equal("aes-1", new JsonWebToken(await TokenAsync()).Kid);
        Assert.Equal(StatusCode.OK, await CallWithAsync(first));

        // Then it signs, without a restart; the token signed before is still good, and so is the new one.
        string second = "";
        await Eventually.HoldsAsync(async () => new JsonWebToken(second = await TokenAsync()).Kid == "aes-2", TimeSpan.FromSeconds(60), "aes-2 signs");
        Assert.Equal(StatusCode.OK, await CallWithAsync(second));
        Assert.Equal(StatusCode.OK, await CallWithAsync(first));
        Assert.Contains("aes-1", await PublishedAsync());

        // The retired key leaves the published set once nothing it signed can be alive; by then the next one is waiting.
        await Eventually.HoldsAsync(async () => !(await PublishedAsync()).Contains("aes-1"), TimeSpan.FromSeconds(60), "aes-1 is retired");
        Assert.Contains("aes-2", await PublishedAsync());

        // At rest, a copy of the database holds no usable key: each is sealed by tenancy's key ring.
        await using var database = new SqliteConnection(Database + ";Mode=ReadOnly");
        await database.OpenAsync();
        await using var read = database.CreateCommand();
        read.CommandText = "SELECT \"Purpose\", \"Material\" FROM issuer_keys";
        await using var rows = await read.ExecuteReaderAsync();
        var count = 0;
        while (await rows.ReadAsync())
        {
            count++;
            var material = Convert.FromBase64String(rows.GetString(1));
            using var rsa = RSA.Create();
            Assert.ThrowsAny<CryptographicException>(() => rsa.ImportPkcs8PrivateKey(material, out _));
            Assert.NotEqual(32, material.Length); // an AES-256 key in the clear would be exactly 32 bytes
        }
        Assert.True(count >= 2, $"{count} keys (encryption, and the signing keys still kept)");
    }

    [Fact]
    public async Task Keys_an_older_tenancy_kept_in_the_clear_are_sealed_at_start_and_keep_their_kid()
    {
        await using (var migrate = ServiceProcess.Start("services/Tenancy", "Aes.Tenancy", ["migrate", $"--ConnectionStrings:tenancy-db={Database}"]))
        {
            Assert.Equal(0, await migrate.WaitForExitAsync(TimeSpan.FromSeconds(120)));
        }
        using var legacy = RSA.Create(2048);
        var legacyKid = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(SHA256.HashData(legacy.ExportSubjectPublicKeyInfo()))[..16];
        await using (var database = new SqliteConnection(Database))
        {
            await database.OpenAsync();
            await using var insert = database.CreateCommand();
            insert.CommandText = "INSERT INTO identity_keys (\"Purpose\", \"Material\", \"CreatedAt\") VALUES ('signing-rsa', $material, $now)";
            insert.Parameters.AddWithValue("$material", Convert.ToBase64String(legacy.ExportPkcs8PrivateKey()));
            insert.Parameters.AddWithValue("$now", DateTime.UtcNow);
            await insert.ExecuteNonQueryAsync();
        }

        await StartTenancyAsync(rotating: false);
        var token = await TokenAsync();
        Assert.Equal(legacyKid, new JsonWebToken(token).Kid);
        Assert.Equal(StatusCode.OK, await CallWithAsync(token));

        await using var copy = new SqliteConnection(Database + ";Mode=ReadOnly");
        await copy.OpenAsync();
        await using var read = copy.CreateCommand();
        read.CommandText = "SELECT count(*) FROM identity_keys";
        Assert.Equal(0L, (long)(await read.ExecuteScalarAsync())!);
        read.CommandText = $"SELECT \"Material\" FROM issuer_keys WHERE \"Id\" = '{legacyKid}'";
        var sealedMaterial = Convert.FromBase64String((string)(await read.ExecuteScalarAsync())!);
        Assert.DoesNotContain(Convert.ToBase64String(legacy.ExportPkcs8PrivateKey()), Convert.ToBase64String(sealedMaterial));
        using var attempt = RSA.Create();
        Assert.ThrowsAny<CryptographicException>(() => attempt.ImportPkcs8PrivateKey(sealedMaterial, out _));
    }
}
