using Aes.Portal;
using Aes.Portal.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Portal.Tests;

/// <summary>Two portal instances on one database share one key ring, as two replicas behind a load balancer must.</summary>
public sealed class DataProtectionKeyRingTests : IDisposable
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"portal-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_database);
    }

    private Task<WebApplication> PortalAsync() => PortalApp.BuildAsync(
    [
        "--Services:tenancy=http://127.0.0.1:1", "--Services:provisioning=http://127.0.0.1:1", "--Services:quota=http://127.0.0.1:1", "--Services:billing=http://127.0.0.1:1", "--Services:notifications=http://127.0.0.1:1", "--Identity:PortalClient:Secret=test", "--Identity:Authority=http://127.0.0.1:1/", $"--ConnectionStrings:portal-db=Data Source={_database}",
        "--Logging:LogLevel:Default=Warning", .. Aes.Testing.TestKeyRing.Arguments(),
    ]);

    [Fact]
    public async Task What_one_instance_protects_another_reads_and_the_key_is_in_the_portal_database()
    {
        await using var first = await PortalAsync();
        await using var second = await PortalAsync();

        var cookie = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Protect("agent.mef.ml");
        var read = second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("session").Unprotect(cookie);

        Assert.Equal("agent.mef.ml", read);
        await using var scope = first.Services.CreateAsyncScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().DataProtectionKeys.CountAsync());
    }
}
