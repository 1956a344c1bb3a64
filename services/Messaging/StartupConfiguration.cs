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
    public static IReadOnlyList<string> Problems(IConfiguration configuration, string service)
    {
        var problems = new List<string>();

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
                configuration.GetSection(MessagingSettings.Section).Get<MessagingSettings>();
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
        if (string.Equals(configuration[Microsoft.Extensions.Hosting.HostDefaults.EnvironmentKey], Microsoft.Extensions.Hosting.Environments.Production, StringComparison.OrdinalIgnoreCase)
            && bool.TryParse(configuration["Seed:Demo"], out var demo) && demo)
        {
            problems.Add("Seed:Demo est refusé en Production : les comptes de démonstration ont un mot de passe connu de tous / "
                + "is refused in Production: the demo accounts have a password everyone knows.");
        }
        return problems;
    }

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
