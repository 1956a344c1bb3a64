using Aes.ServiceDefaults.Identity;
using Aes.Messaging.Persistence;
using Aes.Quota.Application;
using Aes.Quota.Consumers;
using Aes.Quota.Grpc;

namespace Aes.Quota.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAccessPolicy(QuotaAccessRules.Service, QuotaAccessRules.Rules);
        builder.AddServiceDatabase<QuotaDbContext, QuotaPostgresDbContext, QuotaSqliteDbContext>(ResourceNames.QuotaDatabase);
        builder.AddServiceMessaging<QuotaDbContext>(ResourceNames.Quota, bus =>
        {
            bus.AddConsumer<FacilityRegisteredConsumer>();
            bus.AddConsumer<FacilityOpenedConsumer>();
            bus.AddConsumer<FacilityClosedConsumer>();
            bus.AddConsumer<AgencyRegisteredConsumer>();
            bus.AddConsumer<RoleAssignedConsumer>();
            bus.AddConsumer<RoleRevokedConsumer>();
            bus.AddConsumer<ExternalIdentityLinkChangedConsumer>();
            bus.AddConsumer<AgreementActivatedConsumer>();
            bus.AddConsumer<AgreementEndedConsumer>();
            bus.AddConsumer<ResourceClassDefinedConsumer>();
        });
        builder.Services.AddScoped<Access>();
        builder.Services.AddActingRoles();
        builder.Services.AddScoped<Aes.ServiceDefaults.Identity.IExternalIdentityLinks, Aes.Messaging.Identity.ReplicatedExternalIdentityLinks<QuotaDbContext>>();
        builder.Services.AddScoped<CapacityOperations>();
        builder.Services.AddSingleton<DemoCapacity>();
        builder.Services.AddSingleton<ClaimFacts>();
        builder.Services.AddScoped<ClaimService>();
        builder.Services.AddSingleton<HoldBatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HoldBatcher>());
        builder.Services.AddScoped<UsageQueries>();
        builder.Services.AddHostedService<HoldSweeper>();
        builder.Services.AddSingleton<PoolThresholdWatch>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PoolThresholdWatch>());
        builder.Services.AddHostedService<QuotaGauges>();
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<QuotaGrpcService>();
        return app;
    }
}
