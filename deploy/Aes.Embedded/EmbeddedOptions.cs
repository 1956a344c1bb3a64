namespace Aes.Embedded;

/// <summary>
/// The launcher's own options; anything else on the command line is passed to every service.
///   --data-dir DIR       where the SQLite files live (default: ~/.local/share/aes-marketplace)
///   --port-offset N      added to every port (default 0: portal 5100, services 5101-5104, gRPC 6101-6104)
///   --rabbitmq URI       use this RabbitMQ instead of the in-memory bus
///   --postgres CONN      use this PostgreSQL server (one database per service, aes_tenancy…, or
///                        DB_tenancy… when CONN names a database DB) instead of SQLite
///   --no-seed            do not load the demo data
///   --distributed        each service as its own process, on RabbitMQ and PostgreSQL (started under
///                        --infra-dir, default /var/tmp/aes-marketplace-distributed, unless given above)
///   --openstack          (with --distributed) start a local OpenStack under the infra folder and connect the
///                        demo's ML-BKO-1 to it
/// </summary>
public sealed record EmbeddedOptions(string DataDirectory, int PortOffset, string? RabbitMq, string? Postgres, bool Seed, string[] PassThrough,
    bool Distributed = false, string InfraDirectory = EmbeddedOptions.DefaultInfraDirectory, bool OpenStack = false,
    IReadOnlyDictionary<string, string>? OpenStackSettings = null)
{
    public static EmbeddedOptions Parse(string[] args)
    {
        var dataDirectory = Environment.GetEnvironmentVariable("AES_DATA_DIR")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "aes-marketplace");
        var portOffset = 0;
        string? rabbitMq = null, postgres = null;
        var seed = true;
        var distributed = false;
        var openStack = false;
        var infraDirectory = DefaultInfraDirectory;
        var passThrough = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir": dataDirectory = Value(args, ref i); break;
                case "--port-offset":
                    if (!int.TryParse(Value(args, ref i), out portOffset) || portOffset is < 0 or > 50_000)
                    {
                        throw new ArgumentException("--port-offset takes a whole number between 0 and 50000.");
                    }
                    break;
                case "--rabbitmq": rabbitMq = Value(args, ref i); break;
                case "--postgres": postgres = Value(args, ref i); break;
                case "--no-seed": seed = false; break;
                case "--distributed": distributed = true; break;
                case "--infra-dir": infraDirectory = Value(args, ref i); break;
                case "--openstack": openStack = true; break;
                default: passThrough.Add(args[i]); break;
            }
        }
        if (openStack && !distributed)
        {
            throw new ArgumentException("--openstack goes with --distributed.");
        }
        return new EmbeddedOptions(Path.GetFullPath(dataDirectory), portOffset, rabbitMq, postgres, seed, passThrough.ToArray(),
            distributed, Path.GetFullPath(infraDirectory), openStack);
    }

    /// <summary>Where the distributed run keeps its own RabbitMQ and PostgreSQL: a folder PostgreSQL's user can reach, kept across reboots.</summary>
    public const string DefaultInfraDirectory = "/var/tmp/aes-marketplace-distributed";

    /// <summary>The demo users' password: the one passed to tenancy as Seed:DemoPassword, else the seed's default.</summary>
    public string DemoPassword
    {
        get
        {
            for (var i = 0; i < PassThrough.Length; i++)
            {
                if (PassThrough[i].StartsWith("--Seed:DemoPassword=", StringComparison.Ordinal))
                {
                    return PassThrough[i]["--Seed:DemoPassword=".Length..];
                }
                if (PassThrough[i] == "--Seed:DemoPassword" && i + 1 < PassThrough.Length)
                {
                    return PassThrough[i + 1];
                }
            }
            return Environment.GetEnvironmentVariable("Seed__DemoPassword") ?? Aes.Tenancy.Seed.DemoSeeder.DefaultDemoPassword;
        }
    }

    /// <summary>Where notifications writes its messages as .eml files when no mail server is set (Mail:Smtp:Host).</summary>
    public string MailDirectory => Path.Combine(DataDirectory, "mail");

    /// <summary>The certificate that encrypts the session key rings of this run's tenancy and portal (made on the first run).</summary>
    public string KeyRingCertificate => Path.Combine(DataDirectory, "key-ring.pfx");

    private readonly Dictionary<string, string> _serviceSecrets = [];

    /// <summary>A service's client secret at the issuer: new at every launch, known only to this process and its services.</summary>
    public string ServiceSecret(string service)
    {
        lock (_serviceSecrets)
        {
            if (!_serviceSecrets.TryGetValue(service, out var secret))
            {
                _serviceSecrets[service] = secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            }
            return secret;
        }
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
