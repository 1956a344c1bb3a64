using Aes.Quota.Application;
using Aes.Quota.Data;
using Aes.ServiceDefaults.Identity;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Quota.Tests;

/// <summary>Quota's consumers on a migrated PostgreSQL database and MassTransit's test harness, as the projection tests need them.</summary>
internal static class QuotaProjectionHost
{
    public static async Task<ServiceProvider> StartAsync(string connectionString, bool demo, Action<IBusRegistrationConfigurator> consumers)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Seed:Demo"] = demo ? "true" : "false" }).Build())
            .AddDbContext<QuotaDbContext, QuotaPostgresDbContext>(options => options.UseNpgsql(connectionString))
            .AddScoped<Access>().AddActingRoles().AddScoped<CapacityOperations>().AddSingleton<DemoCapacity>().AddSingleton(TimeProvider.System)
            .AddMassTransitTestHarness(consumers)
            .BuildServiceProvider(true);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<QuotaDbContext>().Database.MigrateAsync();
        }
        return services;
    }
}
