using Aes.Billing.Extensions;

namespace Aes.Billing;

/// <summary>Builds the billing service, on its own (Program) or inside the embedded launcher.</summary>
public static class BillingApp
{
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        ServiceApplication.BuildAsync<BillingDbContext>(typeof(BillingApp), args,
            builder => builder.AddApplicationServices(), app => app.MapApplicationEndpoints(), configure);
}
