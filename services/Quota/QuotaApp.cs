using Aes.Quota.Extensions;
using Aes.Messaging.Persistence;
using Aes.ServiceDefaults;

namespace Aes.Quota;

/// <summary>Builds the quota service, on its own (Program) or inside the embedded launcher.</summary>
public static class QuotaApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ServiceHost.CreateBuilder(typeof(QuotaApp), args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApplicationEndpoints();
        await app.MigrateOnStartAsync<QuotaDbContext>();
        return app;
    }
}
