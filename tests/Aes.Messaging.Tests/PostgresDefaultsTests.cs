using Aes.Messaging.Persistence;
using Npgsql;

namespace Aes.Messaging.Tests;

public sealed class PostgresDefaultsTests
{
    [Fact]
    public void A_bare_connection_string_gets_prepared_statements_a_small_pool_and_no_reset()
    {
        var settings = new NpgsqlConnectionStringBuilder(DatabaseExtensions.WithPostgresDefaults("Host=db;Database=quota;Username=aes"));

        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.Equal(DatabaseExtensions.DefaultMaxPoolSize, settings.MaxPoolSize);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal("quota", settings.Database);
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=40;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;MaxPoolSize=40;MaxAutoPrepare=0;NoResetOnClose=false")]
    public void What_the_operator_sets_is_kept(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(DatabaseExtensions.WithPostgresDefaults(connectionString));

        Assert.Equal(40, settings.MaxPoolSize);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.False(settings.NoResetOnClose);
    }
}
