using Microsoft.Extensions.DependencyInjection.Extensions;
using Aes.Messaging.Persistence;

namespace Aes.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// The service's bus: MassTransit with durable RabbitMQ queues and publisher confirms, or the
    /// in-memory transport for the embedded mode; queues are named after the service; failing
    /// consumers are retried and then moved to their <c>_error</c> queue, except while their database is out of
    /// reach, which is waited for; the outbox relay runs in the background.
    /// </summary>
    public static IHostApplicationBuilder AddServiceMessaging<TContext>(
        this IHostApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator> configureConsumers)
        where TContext : ServiceDbContext
    {
        var settings = builder.Configuration.GetSection(MessagingSettings.Section).Get<MessagingSettings>() ?? new MessagingSettings();
        settings.ServiceName = serviceName;
        builder.Services.AddSingleton(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        var endpointNames = new ReceiveEndpointNames();
        builder.Services.AddSingleton(endpointNames);

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            configureConsumers(bus);
            bus.AddConfigureEndpointsCallback((_, name, endpoint) =>
            {
                endpointNames.Add(name);
                // A database out of reach is waited for (a failover takes minutes): those failures skip the short
                // retries below and are tried again for Messaging:OutageRetryFor before anything reaches an error queue.
                endpoint.UseMessageRetry(retry =>
                {
                    retry.Handle<Exception>(TransientDatabaseFailure.Is);
                    retry.Intervals(settings.OutageRetryIntervals);
                });
                endpoint.UseMessageRetry(retry =>
                {
                    retry.Ignore<Exception>(TransientDatabaseFailure.Is);
                    retry.Intervals(settings.EffectiveRetryIntervals);
                });
                if (settings.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint)
                {
                    rabbitEndpoint.SetQuorumQueue();
                }
            });

            if (settings.Transport == BusTransport.RabbitMq)
            {
                var connection = builder.Configuration.GetConnectionString(ResourceNames.RabbitMqConnection)
                    ?? throw new InvalidOperationException($"Messaging:Transport is RabbitMq but ConnectionStrings:{ResourceNames.RabbitMqConnection} is not set.");
                bus.UsingRabbitMq((context, rabbit) =>
                {
                    rabbit.Host(new Uri(connection), host =>
                    {
                        host.PublisherConfirmation = true;
                        host.ConnectionName(serviceName);
                    });
                    rabbit.Durable = true;
                    rabbit.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingInMemory((context, memory) => memory.ConfigureEndpoints(context));
            }
        });
        // Start even while the broker is down: the outbox keeps events until it is back.
        // On SIGTERM the consumers finish the messages they hold (within the host's 20 s), and what they
        // have not started goes back to the broker for another replica.
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = false;
            options.StopTimeout = TimeSpan.FromSeconds(15);
            options.ConsumerStopTimeout = TimeSpan.FromSeconds(10);
        });

        if (settings.Transport == BusTransport.InMemory)
        {
            builder.Services.TryAddSingleton<InProcessBusHub>();
            builder.Services.AddSingleton<IOutboxTransport>(provider => provider.GetRequiredService<InProcessBusHub>());
            builder.Services.AddHostedService<InProcessBusAttachment>();
        }
        else
        {
            builder.Services.AddSingleton<IOutboxTransport, BusOutboxTransport>();
            builder.Services.AddSingleton<DeadLetterWatch>();
            builder.Services.AddHostedService(provider => provider.GetRequiredService<DeadLetterWatch>());
            builder.Services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
                "dead-letters", provider => provider.GetRequiredService<DeadLetterWatch>(), null, null));
        }

        builder.Services.AddSingleton<OutboxRelay<TContext>>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<OutboxRelay<TContext>>());
        builder.Services.AddSingleton<MessageStorePurge<TContext>>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<MessageStorePurge<TContext>>());
        return builder;
    }
}
