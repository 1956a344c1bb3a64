using Aes.Quota.Extensions;

namespace Aes.Quota;

/// <summary>Builds the quota service, on its own (Program) or inside the embedded launcher.</summary>
public static class QuotaApp
{
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        ServiceApplication.BuildAsync<QuotaDbContext>(typeof(QuotaApp), args,
            builder => builder.AddApplicationServices(), app => app.MapApplicationEndpoints(), configure);
}
