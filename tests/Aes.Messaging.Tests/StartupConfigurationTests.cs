using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Aes.Messaging.Dapr;
using Aes.ServiceDefaults;

namespace Aes.Messaging.Tests;

/// <summary>Settings a service cannot run with are all named at start, in French and English.</summary>
public sealed class StartupConfigurationTests
{
    /// <summary>The problems with these settings, over a valid issuer unless they set their own.</summary>
    private static IReadOnlyList<string> Problems(string service, params (string Key, string Value)[] values) =>
        StartupConfiguration.Problems(new ConfigurationBuilder()
            .AddInMemoryCollection([new("Identity:Authority", "http://127.0.0.1:5101/")])
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build(), service);

    [Fact]
    public void The_embedded_defaults_need_nothing_but_the_peer_addresses()
    {
        Assert.Empty(Problems(ResourceNames.Quota));
        Assert.Empty(Problems(ResourceNames.Provisioning, ("Services:quota", "http://127.0.0.1:6102")));
    }

    [Fact]
    public void Every_wrong_or_missing_setting_is_named_at_once()
    {
        var problems = Problems(ResourceNames.Provisioning,
            ("Database:Provider", "Oracle"), ("Messaging:Transport", "RabbitMq"), ("ConnectionStrings:rabbitmq", "http://broker"),
            ("Identity:Authority", "tenancy"), ("Messaging:PublishTimeout", "bientôt"));
        Assert.Contains(problems, p => p.StartsWith("Database:Provider", StringComparison.Ordinal) && p.Contains("Sqlite, Postgres"));
        Assert.Contains(problems, p => p.StartsWith("ConnectionStrings:rabbitmq", StringComparison.Ordinal) && p.Contains("amqp://"));
        Assert.Contains(problems, p => p.StartsWith("Identity:Authority", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Services:quota", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Messaging", StringComparison.Ordinal) && p.Contains("PublishTimeout"));
        Assert.Equal(5, problems.Count);
    }

    [Fact]
    public void The_demo_seed_is_refused_in_production_and_allowed_elsewhere()
    {
        Assert.Contains(Problems(ResourceNames.Tenancy, ("environment", "Production"), ("Seed:Demo", "true")), p => p.StartsWith("Seed:Demo", StringComparison.Ordinal));
        Assert.DoesNotContain(Problems(ResourceNames.Tenancy, ("environment", "Production"), ("Seed:Demo", "false")), p => p.StartsWith("Seed:Demo", StringComparison.Ordinal));
        Assert.Empty(Problems(ResourceNames.Tenancy, ("environment", "Development"), ("Seed:Demo", "true")));
    }

    [Fact]
    public void Placeholder_and_development_secrets_are_refused_in_production_naming_the_key_and_never_the_value()
    {
        var problems = Problems(ResourceNames.Provisioning, ("environment", "Production"), ("Services:quota", "http://quota:6102"),
            ("Identity:ClientSecret", "CHANGE-ME-provisioning-client"),
            ("ConnectionStrings:provisioning-db", "Host=db;Password=change-me;Database=aes_provisioning"),
            ("Identity:PortalClient:Secret", "dev-portal-web-secret"),
            ("Messaging:Transport", "RabbitMq"), ("ConnectionStrings:rabbitmq", "amqp://guest:guest@rabbitmq:5672/"),
            ("Identity:ServiceClients:aes-portal", "b7c1e0…a real one"), ("Facilities:ML-BKO-1:Password", "change-me"),
            // Settings that hold no secret are not read for one (a test runner's own variables, a path).
            ("AES_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:21500/"), ("Portal:Banner", "CHANGE-ME later"));
        Assert.Equal(["ConnectionStrings:provisioning-db", "ConnectionStrings:rabbitmq", "Facilities:ML-BKO-1:Password", "Identity:ClientSecret", "Identity:PortalClient:Secret"],
            problems.Select(p => p.Split(' ')[0]));
        Assert.All(problems, p => Assert.Contains("refused in Production", p));
        Assert.DoesNotContain(problems, p => p.Contains("provisioning-client", StringComparison.Ordinal) || p.Contains("dev-portal-web-secret", StringComparison.Ordinal));

        // Elsewhere (the embedded run, tye, the tests) the development values are what makes one command work.
        Assert.Empty(Problems(ResourceNames.Provisioning, ("Services:quota", "http://quota:6102"), ("Identity:ClientSecret", "dev-provisioning-secret")));
    }

    private static readonly (string, string) Development = ("environment", "Development");

    [Fact]
    public void Tenancy_the_portal_and_notifications_refuse_a_key_ring_in_the_clear_outside_development()
    {
        foreach (var service in new[] { ResourceNames.Tenancy, ResourceNames.Portal, ResourceNames.Notifications })
        {
            var dapr = (DaprSettings.EnabledKey, "true");
            Assert.Equal(["DataProtection:Certificate"], Problems(service, dapr, ("environment", "Production")).Select(p => p.Split(' ')[0]));
            // An undeclared environment is ASP.NET's Production.
            Assert.Equal(["DataProtection:Certificate"], Problems(service, dapr).Select(p => p.Split(' ')[0]));
            Assert.Empty(Problems(service, dapr, Development));
            Assert.Empty(Problems(service, dapr, ("DataProtection:CertificatePath", TestKeyRingPath)));
        }
        // Services without a session key ring have nothing to encrypt.
        Assert.Empty(Problems(ResourceNames.Quota, ("environment", "Production")));
    }

    private static string TestKeyRingPath => Aes.Testing.TestKeyRing.Arguments().Single().Split('=', 2)[1];

    [Fact]
    public void Postgres_needs_a_readable_connection_string_for_the_services_own_database()
    {
        Assert.Contains(Problems(ResourceNames.Billing, ("Database:Provider", "Postgres")), p => p.StartsWith("ConnectionStrings:billing-db est requis", StringComparison.Ordinal));
        Assert.Contains(Problems(ResourceNames.Billing, ("Database:Provider", "Postgres"), ("ConnectionStrings:billing-db", "Hots=db;Nonsense")),
            p => p.StartsWith("ConnectionStrings:billing-db n'est pas", StringComparison.Ordinal));
        Assert.Empty(Problems(ResourceNames.Billing, ("Database:Provider", "postgres"), ("ConnectionStrings:billing-db", "Host=db;Database=aes_billing")));
    }

    [Fact]
    public void The_portal_needs_every_services_address_unless_dapr_finds_them()
    {
        var problems = Problems(ResourceNames.Portal, Development);
        Assert.Equal(["Services:tenancy", "Services:quota", "Services:billing", "Services:provisioning", "Services:notifications"], problems.Select(p => p.Split(' ')[0]));
        Assert.Empty(Problems(ResourceNames.Portal, Development, (DaprSettings.EnabledKey, "true")));
        Assert.Contains(Problems(ResourceNames.Portal, Development, (DaprSettings.EnabledKey, "oui")), p => p.StartsWith(DaprSettings.EnabledKey, StringComparison.Ordinal));
    }

    [Fact]
    public void A_service_needs_an_issuer_to_trust()
    {
        Assert.Contains(Problems(ResourceNames.Quota, ("Identity:Authority", "")), p => p.Contains("No identity provider is trusted", StringComparison.Ordinal));
        Assert.Empty(Problems(ResourceNames.Quota, ("Identity:Authority", ""), ("Identity:TrustedIssuers:ml:Issuer", "https://id.gouv.ml/"), ("Identity:TrustedIssuers:ml:State", "ML")));
    }

    [Fact]
    public void The_migrate_step_checks_only_the_database()
    {
        Assert.Empty(Problems(ResourceNames.Provisioning, (ServiceRunner.MigrateOnlyKey, "true"), ("Messaging:Transport", "Kafka")));
        Assert.NotEmpty(Problems(ResourceNames.Provisioning, (ServiceRunner.MigrateOnlyKey, "true"), ("Database:Provider", "Postgres")));
    }

    [Fact]
    public void The_exception_lists_each_problem_on_its_own_line()
    {
        var exception = new InvalidConfigurationException("quota", ["a", "b"]);
        Assert.Equal($"quota: configuration invalide / invalid configuration:{Environment.NewLine}  - a{Environment.NewLine}  - b", exception.Message);
    }
}
