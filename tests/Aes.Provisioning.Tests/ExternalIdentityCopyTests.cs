using Aes.Messaging.Identity;
using Aes.Provisioning.Data;
using Aes.ServiceDefaults.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Aes.Provisioning.Tests;

/// <summary>
/// A service's copy of tenancy's links from a state provider's subjects to AES users: it ends as tenancy's latest revision
/// says whatever the order of arrival, and an unlinked subject resolves to nobody.
/// </summary>
public sealed class ExternalIdentityCopyTests : IAsyncLifetime
{
    private const string Issuer = "https://idp.gov.bf/";
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private ProvisioningSqliteDbContext _db = null!;
    private static readonly Guid First = Guid.CreateVersion7(), Second = Guid.CreateVersion7();

    public async ValueTask InitializeAsync()
    {
        await _connection.OpenAsync();
        _db = new ProvisioningSqliteDbContext(new DbContextOptionsBuilder<ProvisioningSqliteDbContext>().UseSqlite(_connection).Options);
        await _db.Database.MigrateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await _connection.DisposeAsync();
    }

    /// <summary>Revision 1 links to the first user, 2 unlinks, 3 links to the second, 4 unlinks.</summary>
    private static (Guid? User, string? State) At(long revision) => revision switch
    {
        1 => (First, "BF"),
        3 => (Second, "BF"),
        _ => (null, null),
    };

    public static TheoryData<long[], int> Orders => new()
    {
        { [1], 1 },
        { [1, 2], 0 },
        { [2, 1], 0 },          // the unlink overtakes the link
        { [1, 2, 3], 2 },       // linked again, to another user
        { [3, 1, 2], 2 },       // the latest arrives first
        { [1, 3, 2, 4], 0 },
        { [1, 1], 1 },          // a redelivery
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task The_copy_keeps_the_highest_revision_whatever_the_order_of_arrival(long[] revisions, int linkedTo)
    {
        foreach (var revision in revisions)
        {
            var (user, state) = At(revision);
            await KnownExternalIdentities.RecordAsync(_db, Issuer, "agent-42", user, state, revision, default);
        }

        var links = new ReplicatedExternalIdentityLinks<ProvisioningDbContext>(_db);
        var expected = linkedTo switch { 1 => new LinkedUser(First, "BF"), 2 => new LinkedUser(Second, "BF"), _ => null };
        Assert.Equal(expected, await links.FindAsync(Issuer, "agent-42", default));
        Assert.Null(await links.FindAsync(Issuer, "agent-43", default));
        Assert.Null(await links.FindAsync("https://idp.gouv.ml/", "agent-42", default));
    }
}
