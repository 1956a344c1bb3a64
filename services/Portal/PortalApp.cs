using Aes.Messaging;
using Aes.Portal.Data;
using Aes.Portal.Extensions;

namespace Aes.Portal;

/// <summary>Builds the portal, on its own (Program) or inside the embedded launcher.</summary>
public static class PortalApp
{
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        ServiceApplication.BuildAsync<PortalDbContext>(typeof(PortalApp), args,
            builder => builder.AddApplicationServices(), app => app.MapApplicationEndpoints(), builder =>
            {
                builder.UseBuiltStaticAssets();
                configure?.Invoke(builder);
            });
}
