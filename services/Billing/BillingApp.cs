using Aes.Billing.Extensions;
using Aes.Messaging.Persistence;
using Aes.ServiceDefaults;

namespace Aes.Billing;

/// <summary>Builds the billing service, on its own (Program) or inside the embedded launcher.</summary>
public static class BillingApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ServiceHost.CreateBuilder(typeof(BillingApp), args);
        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApplicationEndpoints();
        await app.MigrateOnStartAsync<BillingDbContext>();
        return app;
    }
}
