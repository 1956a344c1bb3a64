using Aes.Messaging.Persistence;
using Aes.Portal.Data;
using Aes.Portal.Extensions;
using Aes.ServiceDefaults;

namespace Aes.Portal;

/// <summary>Builds the portal, on its own (Program) or inside the embedded launcher.</summary>
public static class PortalApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ServiceHost.CreateBuilder(typeof(PortalApp), args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApplicationEndpoints();
        await app.MigrateOnStartAsync<PortalDbContext>();
        return app;
    }
}
