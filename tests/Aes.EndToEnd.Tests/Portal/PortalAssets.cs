using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// Checks, one request per asset, that every stylesheet, script and image a portal page names is served with
/// its bytes: status 200, not empty, the length the build recorded for that file in the portal's static
/// assets manifest, and, compressed or not, the same content.
/// </summary>
public static partial class PortalAssets
{
    /// <summary>Every problem found on <paramref name="pagePath"/>'s assets; none when all is served.</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(string portalAddress, string endpointsManifest, string pagePath = "/")
    {
        var recorded = RecordedLengths(endpointsManifest);
        using var plain = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromSeconds(60) };
        var page = await plain.GetStringAsync(portalAddress + pagePath);
        var assets = AssetReference().Matches(page).Select(match => match.Groups["path"].Value)
            .Where(path => !path.StartsWith("http", StringComparison.Ordinal) && !path.StartsWith("data:", StringComparison.Ordinal))
            .Select(path => path.TrimStart('/')).Distinct().ToList();
        var problems = new List<string>();
        if (!assets.Any(a => a.EndsWith(".css", StringComparison.Ordinal)) || !assets.Any(a => a.EndsWith("blazor.web.js", StringComparison.Ordinal)))
        {
            problems.Add($"{pagePath} names no stylesheet or no blazor.web.js: {string.Join(", ", assets)}");
        }
        foreach (var asset in assets)
        {
            var identity = await GetAsync(plain, $"{portalAddress}/{asset}", encoding: null);
            if (identity.Status != HttpStatusCode.OK || identity.Body.Length == 0)
            {
                problems.Add($"{asset}: {(int)identity.Status}, {identity.Body.Length} bytes");
                continue;
            }
            if (!recorded.TryGetValue(asset, out var length))
            {
                problems.Add($"{asset}: not in the portal's static assets manifest");
            }
            else if (identity.Body.Length != length)
            {
                problems.Add($"{asset}: {identity.Body.Length} bytes served, {length} in the build");
            }
            foreach (var encoding in new[] { "gzip", "br" })
            {
                var compressed = await GetAsync(plain, $"{portalAddress}/{asset}", encoding);
                var body = compressed.Encoding switch
                {
                    "gzip" => Decompress(compressed.Body, stream => new GZipStream(stream, CompressionMode.Decompress)),
                    "br" => Decompress(compressed.Body, stream => new BrotliStream(stream, CompressionMode.Decompress)),
                    _ => compressed.Body,
                };
                if (compressed.Status != HttpStatusCode.OK || !body.AsSpan().SequenceEqual(identity.Body))
                {
                    problems.Add($"{asset} with Accept-Encoding {encoding}: {(int)compressed.Status}, {compressed.Body.Length} bytes ({compressed.Encoding ?? "identity"}), not the file's content");
                }
            }
        }
        return problems;
    }

    /// <summary>The portal's endpoints manifest in a build or publish folder (Aes.Portal.staticwebassets.endpoints.json).</summary>
    public static string ManifestIn(string folder) => Path.Combine(folder, "Aes.Portal.staticwebassets.endpoints.json");

    private static Dictionary<string, long> RecordedLengths(string manifest)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        var lengths = new Dictionary<string, long>();
        foreach (var endpoint in json.RootElement.GetProperty("Endpoints").EnumerateArray())
        {
            var compressed = endpoint.GetProperty("Selectors").EnumerateArray().Any();
            if (compressed)
            {
                continue;
            }
            var length = endpoint.GetProperty("ResponseHeaders").EnumerateArray()
                .Where(h => h.GetProperty("Name").GetString() == "Content-Length").Select(h => long.Parse(h.GetProperty("Value").GetString()!)).FirstOrDefault();
            lengths[endpoint.GetProperty("Route").GetString()!] = length;
        }
        return lengths;
    }

    private static async Task<(HttpStatusCode Status, byte[] Body, string? Encoding)> GetAsync(HttpClient http, string url, string? encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (encoding is not null)
        {
            request.Headers.AcceptEncoding.ParseAdd(encoding);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentEncoding.FirstOrDefault());
    }

    private static byte[] Decompress(byte[] body, Func<Stream, Stream> decompressor)
    {
        using var input = new MemoryStream(body);
        using var stream = decompressor(input);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    [GeneratedRegex(""""<(?:link[^>]*rel="(?:stylesheet|icon)"[^>]*href|script[^>]*src|img[^>]*src)="(?<path>[^"]+)"""")]
    private static partial Regex AssetReference();
}
