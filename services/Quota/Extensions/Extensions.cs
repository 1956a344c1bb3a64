using Aes.Messaging.Persistence;
using Aes.Quota.Consumers;
using Aes.Quota.Grpc;

namespace Aes.Quota.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<QuotaDbContext, QuotaPostgresDbContext, QuotaSqliteDbContext>(ResourceNames.QuotaDatabase);
        builder.AddServiceMessaging<QuotaDbContext>(ResourceNames.Quota, bus =>
        {
            bus.AddConsumer<FacilityRegisteredConsumer>();
            bus.AddConsumer<FacilityOpenedConsumer>();
            bus.AddConsumer<FacilityClosedConsumer>();
        });
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<QuotaGrpcService>();
        return app;
    }
}
