using Aes.ServiceDefaults.Identity;
using Aes.Contracts.Quota.V1;
using Aes.Messaging.Dapr;
using Aes.Messaging.Persistence;
using Aes.Provisioning.Application;
using Aes.Provisioning.Consumers;
using Aes.Provisioning.Drivers;
using Aes.Provisioning.Drivers.OpenStack;
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
            bus.AddConsumer<CampaignRequestFollower>();
            bus.AddConsumer<FacilityPricesPublishedConsumer>();
            bus.AddConsumer<ResourceClassDefinedConsumer>();
            bus.AddConsumer<AgreementEndedConsumer>();
            bus.AddConsumer<FacilityRegisteredConsumer>();
            bus.AddConsumer<FacilityOpenedConsumer>();
            bus.AddConsumer<FacilityClosedConsumer>();
            bus.AddConsumer<AgencyRegisteredConsumer>();
            bus.AddConsumer<ProjectCreatedConsumer>();
            bus.AddConsumer<RoleAssignedConsumer>();
            bus.AddConsumer<RoleRevokedConsumer>();
            bus.AddConsumer<ExternalIdentityLinkChangedConsumer>();
            bus.AddConsumer<ProjectMembershipChangedConsumer>();
            bus.AddConsumer<HoldReleasedConsumer>();
            bus.AddConsumer<HoldExpiredConsumer>();
            bus.AddConsumer<CapacityChangedConsumer>();
            bus.AddConsumer<QuotaChangedConsumer>();
        });

        builder.Services.AddServiceGrpcClient<QuotaService.QuotaServiceClient>(builder.Configuration, ResourceNames.Quota).WithServiceIdentity();
        builder.Services.AddAccessPolicy(ProvisioningAccessRules.Service, ProvisioningAccessRules.Rules);

        var settings = builder.Configuration.GetSection(ProvisioningSettings.Section).Get<ProvisioningSettings>() ?? new ProvisioningSettings();
        settings.WorkflowConcurrency ??= builder.Configuration.GetValue("Database:Provider", DatabaseProvider.Sqlite) == DatabaseProvider.Postgres ? 16 : 1;
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<WorkflowSignal>();
        builder.Services.AddScoped<Access>();
        builder.Services.AddActingRoles();
        builder.Services.AddScoped<Aes.ServiceDefaults.Identity.IExternalIdentityLinks, Aes.Messaging.Identity.ReplicatedExternalIdentityLinks<ProvisioningDbContext>>();
        builder.Services.AddScoped<Aes.ServiceDefaults.Identity.IProjectMembership, ProjectMemberships>();
        builder.Services.AddScoped<RequestIntake>();
        builder.Services.AddScoped<SshKeyRegistry>();
        builder.Services.AddScoped<Firewalls>();
        builder.Services.AddScoped<Placement>();
        builder.Services.AddScoped<Campaigns>();
        builder.Services.AddScoped<CampaignExecution>();
        builder.Services.AddScoped<FlavourOffer>();
        builder.Services.AddScoped<AutoApproval>();
        builder.Services.AddScoped<Approvals>();
        builder.Services.AddScoped<Workflow>();
        builder.Services.AddScoped<StepLease>();
        builder.Services.AddScoped<VmOperations>();
        builder.Services.AddScoped<FacilityDrivers>();
        builder.Services.AddSingleton<FacilityAccounts>();
        builder.Services.AddScoped<FacilityCatalogues>();
        builder.Services.AddScoped<Facilities>();
        builder.Services.AddScoped<FacilityWatches>();
        builder.Services.AddScoped<Reconciliation>();
        builder.Services.AddScoped<DeclaredConnections>();
        SimulatedFacilityDriver.AddTo(builder);
        builder.Services.AddSingleton<OpenStackFacilityDriver>();
        builder.Services.AddHttpClient(OpenStackFacilityDriver.HttpClientName, http => http.Timeout = builder.Configuration.GetValue(
                "Provisioning:OpenStack:RequestTimeout", TimeSpan.FromSeconds(30)))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        builder.Services.AddHostedService<WorkflowRunner>();
        builder.Services.AddHostedService<FacilityMonitor>();
        builder.Services.AddHostedService<ProvisioningGauges>();
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<ProvisioningGrpcService>();
        return app;
    }
}
