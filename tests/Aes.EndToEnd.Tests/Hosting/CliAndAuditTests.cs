using System.Data.Common;
using Aes.Testing;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// `aes`, the command line, against the running system: it signs in by the code flow (the test plays the
/// browser), and verifies the services' hash-chained audit trails, which record every change and show
/// any record edited or removed behind the services' back.
/// </summary>
public abstract class CliAndAuditTests<TMarketplace>(TMarketplace m) : IClassFixture<TMarketplace> where TMarketplace : ProvisioningMarketplace
{
    private readonly string _config = Infra.NewTempFolder("aes-cli");

    private async Task<(int ExitCode, string Output)> AesAsync(params string[] arguments)
    {
        await using var command = ServiceProcess.Start("services/Cli", "aes", arguments,
            new Dictionary<string, string> { ["AES_CONFIG_DIR"] = _config, ["AES_PORT_OFFSET"] = m.PortOffset.ToString(), ["COLUMNS"] = "250" });
        var exitCode = await command.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, command.Output);
    }

    [Fact]
    public async Task The_cli_signs_in_by_the_code_flow_and_verifies_the_audit_trails_and_an_edited_or_removed_record_is_found()
    {
        // Sign-in: the command prints the address, the "browser" signs in, and the code comes back to the command.
        await using (var login = ServiceProcess.Start("services/Cli", "aes", ["login"],
            new Dictionary<string, string> { ["AES_CONFIG_DIR"] = _config, ["AES_PORT_OFFSET"] = m.PortOffset.ToString() }))
        {
            await login.WaitForOutputAsync("connect/authorize", TimeSpan.FromSeconds(30));
            var address = login.Output.Split('\n').Select(line => line.Trim()).First(line => line.Contains("connect/authorize"));
            using var browser = new CodeFlowClient(m.TenancyHttpAddress);
            var toLogin = await browser.GetAsync(address);
            var signedIn = await browser.SignInAsync(toLogin.Headers.Location!.ToString(), "audit.aes", "aes-demo-2026");
            var callback = (await browser.GetAsync(signedIn.Headers.Location!.ToString())).Headers.Location!;
            using var plain = new HttpClient();
            Assert.Contains("Connexion réussie", await plain.GetStringAsync(callback));
            Assert.Equal(0, await login.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("audit.aes", login.Output);
        }
        var whoami = await AesAsync("whoami");
        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains("Auditor::", whoami.Output);

        // A change made through the API is recorded: who, what, from where.
        var op = await m.AsAsync("op.ml");
        await op.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest
        {
            StateCode = "ML", Limits = new Q.Resources { Vcpu = 10_000, MemoryGib = 100_000, StorageGib = 10_000_000, PublicIpv4 = 100 },
        });
        var list = await AesAsync("audit", "list", "--service", "quota", "--limit", "1000");
        Assert.Equal(0, list.ExitCode);
        Assert.True(list.Output.Contains("op.ml") && list.Output.Contains("SetStateDefaultQuota") && list.Output.Contains("127.0.0.1"), list.Output);

        var intact = await AesAsync("audit", "verify");
        Assert.True(intact.ExitCode == 0, intact.Output);
        Assert.Equal(4, CountOf(intact.Output, "intacte / intact"));

        // Someone with the database's keys edits one record, then removes another: the chain shows both.
        await using (var database = m.DatabaseOf("quota"))
        {
            await database.OpenAsync();
            await ExecuteAsync(database, database is Npgsql.NpgsqlConnection
                ? "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"
                : "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;");
            await ExecuteAsync(database, "UPDATE audit_entries SET details = '{}' WHERE position = 2");
            var edited = await AesAsync("audit", "verify", "--service", "quota");
            Assert.Equal(3, edited.ExitCode);
            Assert.Contains("position 2: content changed", edited.Output);

            await ExecuteAsync(database, "DELETE FROM audit_entries WHERE position = 3");
            var removed = await AesAsync("audit", "verify", "--service", "quota");
            Assert.Equal(3, removed.ExitCode);
            Assert.Contains("positions 3–3: missing", removed.Output);
        }

        // The trail is for auditors: a requester may not read it.
        var refused = await AesAsync("audit", "verify", "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.Equal(5, refused.ExitCode);
        Assert.Contains("PermissionDenied", refused.Output);
    }

    [Fact]
    public async Task The_audit_trail_cannot_be_edited_through_the_services_connection()
    {
        await (await m.AsAsync("admin.mef.ml")).Tenancy.CreateProjectAsync(new Aes.Contracts.Tenancy.V1.CreateProjectRequest
        {
            AgencyId = m.Agencies["ML/MEF"], Name = $"Projet {Guid.NewGuid():N}"[..20],
        });
        await using var database = m.DatabaseOf("tenancy");
        await database.OpenAsync();
        var error = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync(database, "UPDATE audit_entries SET actor = 'someone else'"));
        Assert.Contains("append-only", error.Message);
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync(database, "DELETE FROM audit_entries"));
    }

    private static int CountOf(string text, string word) => text.Split(word).Length - 1;

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>`aes login` listens on the one loopback address the issuer knows for it: one sign-in at a time.</summary>
[CollectionDefinition("aes login")]
public sealed class AesLoginCollection;

[Collection("aes login")]
public sealed class EmbeddedCliAndAuditTests(EmbeddedProvisioningMarketplace m) : CliAndAuditTests<EmbeddedProvisioningMarketplace>(m);

[Collection("aes login")]
public sealed class PostgresCliAndAuditTests(PostgresProvisioningMarketplace m) : CliAndAuditTests<PostgresProvisioningMarketplace>(m);
