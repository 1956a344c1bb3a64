using Aes.Billing.Consumers;
using Aes.Billing.Grpc;
using Aes.Messaging.Persistence;

namespace Aes.Billing.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<BillingDbContext, BillingPostgresDbContext, BillingSqliteDbContext>(ResourceNames.BillingDatabase);
        builder.AddServiceMessaging<BillingDbContext>(ResourceNames.Billing, bus => bus.AddConsumer<AgencyRegisteredConsumer>());
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<BillingGrpcService>();
        return app;
    }
}
