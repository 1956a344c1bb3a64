using Aes.ServiceDefaults.Identity;
using Aes.Billing.Application;
using Aes.Billing.Consumers;
using Aes.Billing.Grpc;
using Aes.Messaging.Persistence;

namespace Aes.Billing.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAccessPolicy(BillingAccessRules.Service, BillingAccessRules.Rules);
        builder.AddServiceDatabase<BillingDbContext, BillingPostgresDbContext, BillingSqliteDbContext>(ResourceNames.BillingDatabase);
        builder.AddServiceMessaging<BillingDbContext>(ResourceNames.Billing, bus =>
        {
            bus.AddConsumer<AgencyRegisteredConsumer>();
            bus.AddConsumer<MemberStateRegisteredConsumer>();
            bus.AddConsumer<FacilityRegisteredConsumer>();
            bus.AddConsumer<AgreementActivatedConsumer>();
            bus.AddConsumer<AgreementEndedConsumer>();
            bus.AddConsumer<ResourceClassDefinedConsumer>();
            bus.AddConsumer<RoleAssignedConsumer>();
            bus.AddConsumer<RoleRevokedConsumer>();
            bus.AddConsumer<ExternalIdentityLinkChangedConsumer>();
            bus.AddConsumer<VmActivatedConsumer>();
            bus.AddConsumer<VmResizedConsumer>();
            bus.AddConsumer<VmDecommissionedConsumer>();
            bus.AddConsumer<VmSnapshotTakenConsumer>();
            bus.AddConsumer<VmSnapshotRemovedConsumer>();
        });
        builder.Services.AddSingleton<DemoPrices>();
        builder.Services.AddScoped<BillingAccess>();
        builder.Services.AddActingRoles();
        builder.Services.AddScoped<Aes.ServiceDefaults.Identity.IExternalIdentityLinks, Aes.Messaging.Identity.ReplicatedExternalIdentityLinks<BillingDbContext>>();
        builder.Services.AddScoped<Metering>();
        builder.Services.AddScoped<BillingClasses>();
        builder.Services.AddScoped<Catalogues>();
        builder.Services.AddScoped<Invoicing>();
        builder.Services.AddScoped<Settlements>();
        builder.Services.AddScoped<LedgerAudit>();
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<BillingGrpcService>();
        return app;
    }
}
