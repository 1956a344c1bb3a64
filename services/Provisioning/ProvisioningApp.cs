using Aes.Provisioning.Extensions;
using Aes.Messaging.Persistence;
using Aes.ServiceDefaults;

namespace Aes.Provisioning;

/// <summary>Builds the provisioning service, on its own (Program) or inside the embedded launcher.</summary>
public static class ProvisioningApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ServiceHost.CreateBuilder(typeof(ProvisioningApp), args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApplicationEndpoints();
        await app.MigrateOnStartAsync<ProvisioningDbContext>();
        return app;
    }
}
