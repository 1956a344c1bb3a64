using Aes.Billing;
using Aes.Messaging;
using Aes.Messaging.Persistence;
using Aes.Notifications;
using Aes.Portal;
using Aes.Provisioning;
using Aes.Quota;
using Aes.Tenancy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Aes.Embedded;

/// <summary>Starts the whole marketplace in this process and stops it cleanly on Ctrl-C or SIGTERM.</summary>
public static class EmbeddedMarketplace
{
    public static async Task<int> RunAsync(string[] args)
    {
        EmbeddedOptions options;
        try
        {
            options = EmbeddedOptions.Parse(args);
        }
        catch (ArgumentException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return 2;
        }
        Directory.CreateDirectory(options.DataDirectory);
        KeyRing.EnsureLocalCertificate(options.KeyRingCertificate);
        if (options.Distributed)
        {
            return await DistributedMarketplace.RunAsync(options);
        }

        var hub = new InProcessBusHub();
        hub.Expect(ResourceNames.Services);
        var stop = new TaskCompletionSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);

        var apps = new List<(string Name, WebApplication App)>();
        try
        {
            // Tenancy seeds the demo data as it is built; the hub holds its events until every service's bus is attached.
            apps.Add((ResourceNames.Tenancy, await TenancyApp.BuildAsync(ServiceArguments(ResourceNames.Tenancy, options), Embed)));
            apps.Add((ResourceNames.Quota, await QuotaApp.BuildAsync(ServiceArguments(ResourceNames.Quota, options), Embed)));
            apps.Add((ResourceNames.Billing, await BillingApp.BuildAsync(ServiceArguments(ResourceNames.Billing, options), Embed)));
            apps.Add((ResourceNames.Provisioning, await ProvisioningApp.BuildAsync(ServiceArguments(ResourceNames.Provisioning, options), Embed)));
            apps.Add((ResourceNames.Notifications, await NotificationsApp.BuildAsync(ServiceArguments(ResourceNames.Notifications, options), Embed)));
            apps.Add((ResourceNames.Portal, await PortalApp.BuildAsync(ServiceArguments(ResourceNames.Portal, options), Embed)));
            // On a fresh RabbitMQ an event published before its consumers' queues are bound is dropped:
            // start every other service, wait until its bus is up, and only then tenancy with its seed.
            var others = apps.Where(a => a.Name != ResourceNames.Tenancy).Select(a => a.App).ToList();
            foreach (var app in others)
            {
                await app.StartAsync();
            }
            foreach (var app in others)
            {
                await WaitForBusAsync(app);
            }
            await apps.Single(a => a.Name == ResourceNames.Tenancy).App.StartAsync();
            await Banner.PrintAsync(options, distributed: false);
            await stop.Task;
            Console.WriteLine("Arrêt en cours… / Stopping…");
        }
        finally
        {
            // Events not yet relayed stay in their outboxes for the next start rather than meet a half-stopped bus.
            hub.Close();
            for (var i = apps.Count - 1; i >= 0; i--)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                    await apps[i].App.StopAsync(timeout.Token);
                    await apps[i].App.DisposeAsync();
                }
                catch (Exception exception)
                {
                    await Console.Error.WriteLineAsync($"{apps[i].Name} did not stop cleanly: {exception.Message}");
                }
            }
        }
        Console.WriteLine("Place de marché arrêtée. / Marketplace stopped.");
        return 0;

        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        void Embed(WebApplicationBuilder builder)
        {
            // One process-wide in-memory broker, and signals handled here rather than by every service.
            builder.Services.AddSingleton(hub);
            builder.Services.RemoveAll<IHostLifetime>();
            builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        }
    }

    /// <summary>
    /// The services that call others as themselves, each with a client of its own at the issuer. Not the portal: it calls with
    /// the signed-in person's token, and its public pages with none.
    /// </summary>
    private static readonly string[] ServiceClients = [ResourceNames.Provisioning];

    private static string ServiceClientId(string service) => $"aes-{service}";

    /// <summary>The key of the portal's sign-in client secret among the run's generated secrets.</summary>
    private const string PortalWebSecret = "portal-web";

    internal static string[] ServiceArguments(string service, EmbeddedOptions options)
    {
        var ports = ResourceNames.LocalPorts[service].Shift(options.PortOffset);
        var arguments = new List<string>(ports.KestrelArguments())
        {
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        };
        // Tenancy is the confederal issuer; every service trusts it, and the one that calls others as itself signs in.
        var tenancyHttp = ResourceNames.LocalPorts[ResourceNames.Tenancy].Shift(options.PortOffset).Http;
        arguments.Add($"--Identity:Authority=http://127.0.0.1:{tenancyHttp}/");
        if (service == ResourceNames.Tenancy)
        {
            arguments.AddRange(ServiceClients.Select(client => $"--Identity:ServiceClients:{ServiceClientId(client)}={options.ServiceSecret(client)}"));
            // People sign in to the portal through the issuer, which sends them back to the portal's address.
            arguments.Add($"--Identity:PortalClient:Secret={options.ServiceSecret(PortalWebSecret)}");
            arguments.Add($"--Identity:PortalClient:RedirectUri=http://127.0.0.1:{ResourceNames.LocalPorts[ResourceNames.Portal].Shift(options.PortOffset).Http}/signin-oidc");
        }
        else if (ServiceClients.Contains(service))
        {
            arguments.Add($"--Identity:ClientId={ServiceClientId(service)}");
            arguments.Add($"--Identity:ClientSecret={options.ServiceSecret(service)}");
        }
        if (service == ResourceNames.Portal)
        {
            arguments.Add($"--Identity:PortalClient:Secret={options.ServiceSecret(PortalWebSecret)}");
        }
        if (service is ResourceNames.Tenancy or ResourceNames.Portal or ResourceNames.Notifications)
        {
            // Their key rings (sessions; webhooks' secrets) live in their databases, encrypted with the run's own certificate.
            arguments.Add($"--{KeyRing.Section}:CertificatePath={options.KeyRingCertificate}");
        }
        var database = ResourceNames.DatabaseOf(service);
        if (options.Postgres is { } postgres)
        {
            // The given database name, if any, prefixes the services' own: "Database=demo" gives demo_tenancy, demo_quota…
            var given = new NpgsqlConnectionStringBuilder(postgres).Database;
            var connection = new NpgsqlConnectionStringBuilder(postgres) { Database = $"{(string.IsNullOrEmpty(given) ? "aes" : given)}_{service}" };
            arguments.Add("--Database:Provider=Postgres");
            arguments.Add($"--ConnectionStrings:{database}={connection}");
            if (service == ResourceNames.Provisioning)
            {
                // The simulated facilities keep their own database, as real ones keep their own systems.
                connection.Database = $"{(string.IsNullOrEmpty(given) ? "aes" : given)}_facility_simulator";
                arguments.Add($"--ConnectionStrings:{ResourceNames.FacilitySimulatorDatabase}={connection}");
            }
        }
        else
        {
            arguments.Add("--Database:Provider=Sqlite");
            arguments.Add($"--ConnectionStrings:{database}=Data Source={Path.Combine(options.DataDirectory, service + ".db")}");
        }
        if (service == ResourceNames.Portal)
        {
            // The portal and its public API call all four services.
            foreach (var called in ResourceNames.Services)
            {
                arguments.Add($"--{ResourceNames.ServiceAddressKey(called)}=http://127.0.0.1:{ResourceNames.LocalPorts[called].Shift(options.PortOffset).Grpc}");
            }
            return [.. arguments, .. options.PassThrough];
        }
        if (options.RabbitMq is { } rabbitMq)
        {
            arguments.Add("--Messaging:Transport=RabbitMq");
            arguments.Add($"--ConnectionStrings:{ResourceNames.RabbitMqConnection}={rabbitMq}");
        }
        if (service is ResourceNames.Tenancy or ResourceNames.Billing or ResourceNames.Quota)
        {
            // Tenancy loads the demo states, facilities and users; billing publishes the demo facilities' list prices;
            // quota gives the demo facilities a pool each and the states their default quotas.
            arguments.Add($"--Seed:Demo={options.Seed}");
        }
        if (service == ResourceNames.Provisioning && options.OpenStackSettings is { } cloud)
        {
            // ML-BKO-1's cloud, as its operator would connect it; the application credential as the secret store would give it.
            arguments.AddRange([
                "--Provisioning:Connect:ML-BKO-1:Driver=openstack", $"--Provisioning:Connect:ML-BKO-1:AuthUrl={cloud["OS_AUTH_URL"]}",
                $"--Provisioning:Connect:ML-BKO-1:Region={cloud["OS_REGION_NAME"]}", $"--Provisioning:Connect:ML-BKO-1:Project={cloud["OS_PROJECT_NAME"]}",
                $"--Provisioning:Connect:ML-BKO-1:ProjectDomain={cloud["OS_PROJECT_DOMAIN_NAME"]}", "--Provisioning:Connect:ML-BKO-1:CredentialReference=openstack-bko",
                "--Provisioning:Connect:ML-BKO-1:Network=shared", "--Provisioning:Connect:ML-BKO-1:MapCatalogueByName=true",
                $"--FacilityCredentials:openstack-bko:ApplicationCredentialId={cloud["OS_APPLICATION_CREDENTIAL_ID"]}",
                $"--FacilityCredentials:openstack-bko:ApplicationCredentialSecret={cloud["OS_APPLICATION_CREDENTIAL_SECRET"]}",
            ]);
        }
        if (service == ResourceNames.Notifications)
        {
            // Messages link to the portal of this run; without a mail server (Mail:Smtp:Host), they are .eml files in the data folder.
            arguments.Add($"--Notifications:PortalUrl=http://127.0.0.1:{ResourceNames.LocalPorts[ResourceNames.Portal].Shift(options.PortOffset).Http}");
            arguments.Add($"--Mail:PickupDirectory={options.MailDirectory}");
        }
        if (service == ResourceNames.Provisioning)
        {
            arguments.Add($"--{ResourceNames.ServiceAddressKey(ResourceNames.Quota)}=http://127.0.0.1:{ResourceNames.LocalPorts[ResourceNames.Quota].Shift(options.PortOffset).Grpc}");
        }
        return [.. arguments, .. options.PassThrough];
    }

    private static async Task WaitForBusAsync(WebApplication app)
    {
        if (app.Services.GetService<MassTransit.IBusControl>() is not { } bus)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (bus.CheckHealth().Status != MassTransit.BusHealthStatus.Healthy)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
