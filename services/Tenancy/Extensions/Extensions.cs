using Aes.ServiceDefaults;
using Aes.ServiceDefaults.Identity;
using Aes.ServiceDefaults.Web;
using Aes.Messaging.Persistence;
using Aes.Tenancy.Application;
using Aes.Tenancy.Grpc;
using Aes.Tenancy.Identity;
using Aes.Tenancy.Seed;

namespace Aes.Tenancy.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<TenancyDbContext, TenancyPostgresDbContext, TenancySqliteDbContext>(ResourceNames.TenancyDatabase);
        // The sign-in page's cookies and anti-forgery tokens must read alike on every replica.
        builder.AddKeyRing<TenancyDbContext>("aes-tenancy");
        // Tenancy publishes; it consumes nothing yet.
        builder.AddServiceMessaging<TenancyDbContext>(ResourceNames.Tenancy, _ => { });
        builder.Services.AddScoped<TenancyOperations>();
        builder.Services.AddScoped<ProjectMemberships>();
        builder.Services.AddScoped<ExternalIdentities>();
        builder.Services.AddScoped<IExternalIdentityLinks>(services => services.GetRequiredService<ExternalIdentities>());
        builder.Services.AddScoped<DemoSeeder>();
        builder.Services.AddScoped<ReferenceAnnouncer>();
        builder.Services.AddHostedService<AgreementClock>();
        builder.AddWebFront();
        builder.AddIdentityServer();
        builder.Services.AddAccessPolicy(TenancyAccessRules.Service, TenancyAccessRules.Rules);
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<TenancyGrpcService>();
        app.MapIdentityEndpoints();
        return app;
    }

    /// <summary>
    /// Migrates the database, announces the reference data again if an upgrade needs it, and, when
    /// Seed:Demo is true, loads the demo data once.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await app.MigrateOnStartAsync<TenancyDbContext>();
        if (app.Configuration.GetValue(ServiceRunner.MigrateOnlyKey, false))
        {
            return; // the rest needs the service's secrets: it runs when the service starts
        }
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReferenceAnnouncer>().AnnounceIfBehindAsync(app.Lifetime.ApplicationStopping);
        await scope.ServiceProvider.GetRequiredService<ClientRegistry>().RegisterAsync(app.Lifetime.ApplicationStopping);
        if (app.Configuration.GetValue("Seed:Demo", false))
        {
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(app.Lifetime.ApplicationStopping);
        }
    }
}
