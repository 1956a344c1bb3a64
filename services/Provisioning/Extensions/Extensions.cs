using Aes.Messaging.Persistence;
using Aes.Provisioning.Consumers;
using Aes.Provisioning.Grpc;

namespace Aes.Provisioning.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<ProvisioningDbContext, ProvisioningPostgresDbContext, ProvisioningSqliteDbContext>(ResourceNames.ProvisioningDatabase);
        builder.AddServiceMessaging<ProvisioningDbContext>(ResourceNames.Provisioning, bus =>
        {
            bus.AddConsumer<AgreementActivatedConsumer>();
            bus.AddConsumer<AgreementEndedConsumer>();
        });
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<ProvisioningGrpcService>();
        return app;
    }
}
