using Aes.Notifications.Application;
using Aes.Notifications.Consumers;
using Aes.ServiceDefaults.Identity;

namespace Aes.Notifications.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAccessPolicy(NotificationsAccessRules.Service, NotificationsAccessRules.Rules);
        builder.AddServiceDatabase<NotificationsDbContext, NotificationsPostgresDbContext, NotificationsSqliteDbContext>(ResourceNames.NotificationsDatabase);
        builder.AddKeyRing<NotificationsDbContext>("aes-notifications");
        builder.AddServiceMessaging<NotificationsDbContext>(ResourceNames.Notifications, bus =>
        {
            bus.AddConsumer<UserCreatedConsumer>();
            bus.AddConsumer<RoleAssignedConsumer>();
            bus.AddConsumer<RoleRevokedConsumer>();
            bus.AddConsumer<MemberStateRegisteredConsumer>();
            bus.AddConsumer<ExternalIdentityLinkChangedConsumer>();
            bus.AddConsumer<ApprovalAwaitedConsumer>();
            bus.AddConsumer<HostingRequestStatusChangedConsumer>();
            bus.AddConsumer<AgencyRegisteredConsumer>();
            bus.AddConsumer<QuotaChangeRequestedConsumer>();
            bus.AddConsumer<QuotaChangeDecidedConsumer>();
            bus.AddConsumer<InvoiceIssuedConsumer>();
            bus.AddConsumer<SettlementClosedConsumer>();
            bus.AddConsumer<PoolThresholdCrossedConsumer>();
            bus.AddConsumer<AgreementDraftedConsumer>();
            bus.AddConsumer<AgreementSignedConsumer>();
            bus.AddConsumer<AgreementActivatedConsumer>();
            bus.AddConsumer<AgreementEndedConsumer>();
        });
        builder.Services.AddActingRoles();
        builder.Services.AddScoped<IExternalIdentityLinks, Aes.Messaging.Identity.ReplicatedExternalIdentityLinks<NotificationsDbContext>>();

        var settings = builder.Configuration.GetSection(NotificationSettings.Section).Get<NotificationSettings>() ?? new NotificationSettings();
        var mail = builder.Configuration.GetSection(MailSettings.Section).Get<MailSettings>() ?? new MailSettings();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(mail);
        builder.Services.AddSingleton<IMailSender>(mail.UsesSmtp
            ? new SmtpMailSender(mail)
            : new PickupFolderMailSender(Path.GetFullPath(mail.PickupDirectory, builder.Environment.ContentRootPath)));
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddScoped<Notifier>();
        builder.Services.AddScoped<Digests>();
        builder.Services.AddSingleton<MailDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MailDispatcher>());
        var webhooks = builder.Configuration.GetSection(WebhookSettings.Section).Get<WebhookSettings>() ?? new WebhookSettings();
        builder.Services.AddSingleton(webhooks);
        builder.Services.AddSingleton<WebhookAddressPolicy>();
        builder.Services.AddSingleton<WebhookSignal>();
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddScoped<WebhookPublisher>();
        builder.Services.AddScoped<Aes.Notifications.Grpc.WebhookMethods>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookDispatcher>());
        builder.Services.AddSingleton<ReminderScheduler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ReminderScheduler>());
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<Aes.Notifications.Grpc.NotificationsGrpcService>();
        return app;
    }
}
