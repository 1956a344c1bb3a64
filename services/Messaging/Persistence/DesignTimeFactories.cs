using Microsoft.EntityFrameworkCore.Design;

namespace Aes.Messaging.Persistence;

/// <summary>Lets `dotnet ef` build a provider's context to generate its migrations; never used at run time.</summary>
public abstract class PostgresDesignTimeFactory<TContext> : IDesignTimeDbContextFactory<TContext> where TContext : DbContext
{
    public TContext CreateDbContext(string[] args) =>
        (TContext)Activator.CreateInstance(typeof(TContext), new DbContextOptionsBuilder<TContext>().UseNpgsql("Host=design-time").Options)!;
}

/// <inheritdoc cref="PostgresDesignTimeFactory{TContext}"/>
public abstract class SqliteDesignTimeFactory<TContext> : IDesignTimeDbContextFactory<TContext> where TContext : DbContext
{
    public TContext CreateDbContext(string[] args) =>
        (TContext)Activator.CreateInstance(typeof(TContext), new DbContextOptionsBuilder<TContext>().UseSqlite("Data Source=design-time.db").Options)!;
}
