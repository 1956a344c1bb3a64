using Aes.Messaging.Dapr;
using Aes.ServiceDefaults;
using Aes.ServiceDefaults.Identity;

namespace Aes.Messaging;

/// <summary>
/// Checks, before anything is built, the settings a service cannot run without: its database, its
/// bus, the issuer, and the addresses of the services it calls. All problems are reported at once.
/// </summary>
public static class StartupConfiguration
{
    /// <summary>The development secrets tye.yaml and the examples carry: known to everyone who read the repository.</summary>
    public static readonly IReadOnlyList<string> DevelopmentSecrets = ["dev-provisioning-secret", "dev-portal-secret", "dev-portal-web-secret", "amqp://guest:guest@"];

    public const string PlaceholderMarker = "CHANGE-ME";

    public static IReadOnlyList<string> Problems(IConfiguration configuration, string service)
    {
        var problems = new List<string>();
        var production = string.Equals(configuration[Microsoft.Extensions.Hosting.HostDefaults.EnvironmentKey],
            Microsoft.Extensions.Hosting.Environments.Production, StringComparison.OrdinalIgnoreCase);
        if (production)
        {
            // The key is named, never the value: the refusal goes to logs that more people read than the secret store.
            foreach (var (key, value) in configuration.AsEnumerable().Where(entry => HoldsSecrets(entry.Key) && IsPlaceholder(entry.Value))
                .OrderBy(entry => entry.Key, StringComparer.Ordinal))
            {
                problems.Add($"{key} garde une valeur d'exemple ({PlaceholderMarker}… ou un secret de développement) : refusée en Production / "
                    + $"still holds an example value ({PlaceholderMarker}… or a development secret): refused in Production.");
            }
        }

        var provider = Enum<DatabaseProvider>(configuration, "Database:Provider", DatabaseProvider.Sqlite, problems);
        var database = ResourceNames.DatabaseOf(service);
        var connection = configuration.GetConnectionString(database);
        if (provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(connection))
            {
                problems.Add($"ConnectionStrings:{database} est requis avec Database:Provider=Postgres / is required with Database:Provider=Postgres.");
            }
            else
            {
                try
                {
                    _ = new Npgsql.NpgsqlConnectionStringBuilder(connection);
                }
                catch (ArgumentException exception)
                {
                    problems.Add($"ConnectionStrings:{database} n'est pas une chaîne de connexion PostgreSQL / is not a PostgreSQL connection string: {exception.Message}");
                }
            }
        }
        Boolean(configuration, ServiceRunner.MigrateOnStartKey, problems);
        if (Boolean(configuration, ServiceRunner.MigrateOnlyKey, problems))
        {
            return problems;
        }

        if (service != ResourceNames.Portal)
        {
            var transport = Enum<BusTransport>(configuration, "Messaging:Transport", BusTransport.InMemory, problems);
            if (transport == BusTransport.RabbitMq)
            {
                var broker = configuration.GetConnectionString(ResourceNames.RabbitMqConnection);
                if (string.IsNullOrWhiteSpace(broker))
                {
                    problems.Add($"ConnectionStrings:{ResourceNames.RabbitMqConnection} est requis avec Messaging:Transport=RabbitMq / is required with Messaging:Transport=RabbitMq.");
                }
                else if (!Uri.TryCreate(broker, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
                {
                    problems.Add($"ConnectionStrings:{ResourceNames.RabbitMqConnection} doit être une adresse amqp:// ou amqps:// / must be an amqp:// or amqps:// address.");
                }
            }
            try
            {
                if (configuration.GetSection(MessagingSettings.Section).Get<MessagingSettings>() is { OutboxMaxRefusals: < 1 })
                {
                    problems.Add("Messaging:OutboxMaxRefusals doit valoir au moins 1 / must be at least 1.");
                }
            }
            catch (InvalidOperationException exception)
            {
                problems.Add($"{MessagingSettings.Section}: {exception.Message}");
            }
        }

        if (configuration["Identity:Authority"] is { Length: > 0 } authority && !IsHttpAddress(authority))
        {
            problems.Add("Identity:Authority doit être une adresse http(s) absolue / must be an absolute http(s) address.");
        }
        else
        {
            try
            {
                TrustedIssuer.From(configuration);
            }
            catch (InvalidOperationException exception)
            {
                problems.Add($"Identity:Authority ou/or Identity:TrustedIssuers: {exception.Message}");
            }
        }

        if (Persistence.KeyRing.Problem(configuration) is { } keyRing)
        {
            problems.Add(keyRing);
        }
        // Outside Development (and an undeclared environment is Production) a key ring in the clear is refused: a copy of the
        // database would forge sessions and anti-forgery tokens (tenancy, the portal), or sign as the marketplace's webhooks.
        else if (service is ResourceNames.Tenancy or ResourceNames.Portal or ResourceNames.Notifications && !Persistence.KeyRing.HasCertificate(configuration)
            && !string.Equals(configuration[Microsoft.Extensions.Hosting.HostDefaults.EnvironmentKey] ?? Microsoft.Extensions.Hosting.Environments.Production,
                Microsoft.Extensions.Hosting.Environments.Development, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{Persistence.KeyRing.Section}:Certificate (ou/or CertificatePath) est requis hors Development : sans lui les clés (sessions, secrets des webhooks) sont "
                + "stockées en clair / is required outside Development: without it the keys (sessions, webhooks' secrets) are stored in the clear.");
        }

        var throughDapr = Boolean(configuration, DaprSettings.EnabledKey, problems);
        foreach (var called in ResourceNames.CallsOf(service))
        {
            var key = ResourceNames.ServiceAddressKey(called);
            var address = configuration[key];
            if (address is null && !throughDapr)
            {
                problems.Add($"{key} ({called}, gRPC) est requis sans Dapr / is required without Dapr.");
            }
            else if (address is not null && !IsHttpAddress(address))
            {
                problems.Add($"{key} doit être une adresse http(s) absolue / must be an absolute http(s) address.");
            }
        }
        // Declared Production (ASPNETCORE_ENVIRONMENT): the demo's accounts, whose password everyone knows, are not made there.
        if (production && bool.TryParse(configuration["Seed:Demo"], out var demo) && demo)
        {
            problems.Add("Seed:Demo est refusé en Production : les comptes de démonstration ont un mot de passe connu de tous / "
                + "is refused in Production: the demo accounts have a password everyone knows.");
        }
        return problems;
    }

    private static readonly string[] SecretSections = ["ConnectionStrings", "Identity", "DataProtection"];

    /// <summary>Where secrets live: connection strings, identity and key-ring settings, or any setting named like a secret.</summary>
    private static bool HoldsSecrets(string key) =>
        SecretSections.Any(section => key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
        || key.Split(':')[^1] is var name && (name.Contains("secret", StringComparison.OrdinalIgnoreCase) || name.Contains("password", StringComparison.OrdinalIgnoreCase));

    private static bool IsPlaceholder(string? value) =>
        value is { Length: > 0 }
        && (value.Contains(PlaceholderMarker, StringComparison.OrdinalIgnoreCase)
            || DevelopmentSecrets.Any(secret => value.Contains(secret, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Throws <see cref="InvalidConfigurationException"/> listing every problem, if there is any.</summary>
    public static void EnsureValid(IConfiguration configuration, string service)
    {
        var problems = Problems(configuration, service);
        if (problems.Count > 0)
        {
            throw new InvalidConfigurationException(service, problems);
        }
    }

    private static TEnum Enum<TEnum>(IConfiguration configuration, string key, TEnum fallback, List<string> problems) where TEnum : struct, Enum
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }
        if (System.Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed))
        {
            return parsed;
        }
        problems.Add($"{key} vaut « {value} » ; valeurs possibles / is '{value}'; allowed: {string.Join(", ", System.Enum.GetNames<TEnum>())}.");
        return fallback;
    }

    private static bool Boolean(IConfiguration configuration, string key, List<string> problems)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }
        if (bool.TryParse(value, out var parsed))
        {
            return parsed;
        }
        problems.Add($"{key} vaut « {value} » ; attendu true ou false / is '{value}'; expected true or false.");
        return false;
    }

    private static bool IsHttpAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
