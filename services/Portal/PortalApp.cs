using Aes.Portal.Extensions;
using Aes.ServiceDefaults;

namespace Aes.Portal;

/// <summary>Builds the portal, on its own (Program) or inside the embedded launcher.</summary>
public static class PortalApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ServiceHost.CreateBuilder(typeof(PortalApp), args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApplicationEndpoints();
        return app;
    }
}
