using Aes.Messaging.Audit;
using Aes.Messaging.Dapr;
using Aes.Messaging.Persistence;
using Aes.ServiceDefaults;
using Microsoft.AspNetCore.Builder;

namespace Aes.Messaging;

/// <summary>
/// The recipe every service's host follows, on its own (its Program) or inside the embedded launcher:
/// defaults, the service's own wiring, the caller's overrides, endpoints, then its database.
/// </summary>
public static class ServiceApplication
{
    public static async Task<WebApplication> BuildAsync<TContext>(
        Type serviceMarker,
        string[] args,
        Action<IHostApplicationBuilder> addApplicationServices,
        Action<WebApplication> mapApplicationEndpoints,
        Action<WebApplicationBuilder>? configure,
        Func<WebApplication, Task>? prepareDatabase = null)
        where TContext : ServiceDbContext
    {
        var builder = ServiceHost.CreateBuilder(serviceMarker, args);
        if (builder.Configuration.GetValue(ServiceRunner.MigrateOnlyKey, false))
        {
            // The migrate step serves and signs in no one, yet building the host wires the sign-in, which
            // reads these: placeholders under every real source, so a Job needs only its connection string.
            builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
            {
                InitialData = [new("Identity:Authority", "https://migrate.invalid/"), new("Identity:PortalClient:Secret", "unused")],
            });
        }
        builder.Configuration.AddDaprSecretStore();
        StartupConfiguration.EnsureValid(builder.Configuration, ServiceNameOf(serviceMarker));
        builder.AddServiceDefaults();
        addApplicationServices(builder);
        builder.AddAuditTrail<TContext>();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        mapApplicationEndpoints(app);
        app.MapAuditTrail<TContext>();
        await (prepareDatabase ?? (application => application.MigrateOnStartAsync<TContext>()))(app);
        return app;
    }

    /// <summary>"Aes.Quota" is quota: the assembly names follow <see cref="ResourceNames"/>.</summary>
    public static string ServiceNameOf(Type serviceMarker) =>
        serviceMarker.Assembly.GetName().Name!["Aes.".Length..].ToLowerInvariant();
}
