using Aes.Tenancy.Extensions;

namespace Aes.Tenancy;

/// <summary>Builds the tenancy service, on its own (Program) or inside the embedded launcher.</summary>
public static class TenancyApp
{
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        ServiceApplication.BuildAsync<TenancyDbContext>(typeof(TenancyApp), args,
            builder => builder.AddApplicationServices(), app => app.MapApplicationEndpoints(), configure,
            prepareDatabase: app => app.PrepareDatabaseAsync());
}
