using Aes.ServiceDefaults;
using Aes.Tenancy.Extensions;

namespace Aes.Tenancy;

/// <summary>Builds the tenancy service, on its own (Program) or inside the embedded launcher.</summary>
public static class TenancyApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ServiceHost.CreateBuilder(typeof(TenancyApp), args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApplicationEndpoints();
        await app.PrepareDatabaseAsync();
        return app;
    }
}
