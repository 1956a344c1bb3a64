using System.Net;
using System.Net.Sockets;
using Aes.ServiceDefaults.Errors;

namespace Aes.Notifications.Application;

/// <summary>
/// Where a webhook may point, checked when it is registered and again at every attempt, on the addresses the name
/// resolves to at that moment (the connection then goes to the address checked, so a name cannot change in between).
/// A webhook is a request the marketplace makes on a stranger's behalf: without this, an agency could make it read a
/// cloud's metadata service or reach the datacenter's internal networks.
/// </summary>
public sealed class WebhookAddressPolicy
{
    /// <summary>Never reached, whatever is allowed: link-local (every cloud's metadata at 169.254.169.254), "this network", multicast, reserved.</summary>
    private static readonly IPNetwork[] Forbidden =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
        // Metadata services outside link-local: AWS over IPv6, Alibaba Cloud, Azure's wire server.
        IPNetwork.Parse("fd00:ec2::254/128"), IPNetwork.Parse("100.100.100.200/32"), IPNetwork.Parse("168.63.129.16/32"),
        // IPv6 forms that carry an IPv4 address a gateway may reach on their behalf: IPv4-compatible (::a.b.c.d, but for
        // :: and ::1, above and below), IPv4-translated (::ffff:0:a.b.c.d), local-use NAT64, 6to4, Teredo. The
        // well-known NAT64 prefix is checked by the IPv4 address it carries instead.
        IPNetwork.Parse("::ffff:0:0:0/96"), IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("2002::/16"), IPNetwork.Parse("2001::/32"),
    ];

    private static readonly IPNetwork IPv4Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork WellKnownNat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>Reached only when <see cref="WebhookSettings.AllowedNetworks"/> includes them: loopback, private, shared and benchmark networks.</summary>
    private static readonly IPNetwork[] Private =
    [
        IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fec0::/10"),
    ];

    private readonly HashSet<string> _schemes;
    private readonly IPNetwork[] _allowed;

    public WebhookAddressPolicy(WebhookSettings settings)
    {
        _schemes = settings.AllowedSchemes.Select(s => s.Trim().ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        _allowed = settings.AllowedNetworks.Select(IPNetwork.Parse).ToArray();
    }

    /// <summary>Why a webhook may not be registered with this address (checked again, resolved, at every attempt); null when it may.</summary>
    public BilingualMessage? UrlRefusal(string url)
    {
        if (url.Length is 0 or > 2000 || url.Any(char.IsControl) || url.Any(char.IsWhiteSpace) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return new("doit être une adresse absolue, par exemple https://exemple.ml/aes.", "must be an absolute address, for example https://example.ml/aes.");
        }
        if (SchemeRefusal(uri) is { } scheme)
        {
            return scheme;
        }
        if (uri.UserInfo.Length > 0)
        {
            return new("ne doit pas contenir d'identifiants : le secret signe chaque envoi.", "must not hold credentials: the secret signs every delivery.");
        }
        if (uri.Fragment.Length > 0)
        {
            return new("ne doit pas contenir de fragment (#).", "must not hold a fragment (#).");
        }
        if (LiteralAddress(uri) is { } literal)
        {
            return AddressRefusal(literal);
        }
        return uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? AddressRefusal(IPAddress.Loopback)
            : null;
    }

    public BilingualMessage? SchemeRefusal(Uri uri) => _schemes.Contains(uri.Scheme)
        ? null
        : new($"le schéma « {uri.Scheme} » n'est pas permis (permis : {string.Join(", ", _schemes)}).",
            $"the scheme \"{uri.Scheme}\" is not allowed (allowed: {string.Join(", ", _schemes)}).");

    /// <summary>Why no webhook may reach <paramref name="address"/>; null when it may.</summary>
    public BilingualMessage? AddressRefusal(IPAddress address)
    {
        // An IPv4 address written as IPv6 (::ffff:169.254.169.254, or behind the NAT64 prefix) is that IPv4 address.
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
            : WellKnownNat64.Contains(address) ? new IPAddress(address.GetAddressBytes()[12..])
            : address;
        var compatible = IPv4Compatible.Contains(plain) && !plain.Equals(IPAddress.IPv6Loopback) && !plain.Equals(IPAddress.IPv6None);
        if (compatible || Forbidden.Any(network => network.Contains(plain)) || plain.Equals(IPAddress.Broadcast))
        {
            return new($"l'adresse {plain} est locale au lien ou réservée (service de métadonnées) : jamais atteinte.",
                $"the address {plain} is link-local or reserved (a metadata service): never reached.");
        }
        if (Private.Any(network => network.Contains(plain)) && !_allowed.Any(network => network.Contains(plain)))
        {
            return new($"l'adresse {plain} est privée ou de bouclage, et aucun réseau permis ne la contient.",
                $"the address {plain} is private or loopback, and no allowed network holds it.");
        }
        return null;
    }

    private static IPAddress? LiteralAddress(Uri uri) =>
        uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) ? address : null;

    /// <summary>
    /// Connects to the receiver only at an address the policy lets through: every address the name resolves to is
    /// checked (one refused refuses the name), then the socket goes to those addresses, not to a second resolution.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(System.Net.Http.SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        foreach (var address in addresses)
        {
            if (AddressRefusal(address) is { } refusal)
            {
                // The owner wrote an address: they may read why. A name: what it resolves to inside stays inside.
                throw new WebhookAddressRefusedException(literal is not null ? refusal : new BilingualMessage(
                    $"« {host} » désigne une adresse qu'aucun webhook n'atteint (locale, réservée ou privée).",
                    $"\"{host}\" names an address no webhook may reach (local, reserved or private)."));
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

public sealed class WebhookAddressRefusedException(BilingualMessage reason) : Exception(reason.English)
{
    public BilingualMessage Reason { get; } = reason;
}
