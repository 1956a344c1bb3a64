using System.Globalization;
using System.Text;
using System.Text.Json;
using Aes.Contracts;

namespace Aes.Provisioning.Application;

/// <summary>A row of a campaign's file that cannot be kept: its line (CSV) or index from 1 (JSON), the field, and why.</summary>
public sealed record CampaignBadRow(int Line, string Field, string ProblemFr, string ProblemEn);

/// <summary>A workload as read from a file, checked, its agency resolved.</summary>
public sealed record CampaignRow(int Line, string Key, KnownAgency Agency, string Project, Classification Classification, string SourceProvider,
    string SourceRegion, long DataGb, DateOnly TargetDate, int Wave, string Image, int Count, ResourceVector Resources);

/// <summary>What the reader knows to check a row against: the campaign's agencies, its waves, the classes of the catalogue.</summary>
public sealed record CampaignFileContext(IReadOnlyCollection<KnownAgency> Agencies, IReadOnlyCollection<int> Waves, IReadOnlyCollection<string> KnownClasses);

/// <summary>
/// Reads a campaign's workloads from CSV (a header, then one workload per line; a column per resource class, one VM's
/// amount) or JSON (an array of objects, or {"workloads": [...]}, with "resources": {"vcpu": 2, ...}). Every bad row is
/// reported, by line and field, and the rows are kept only when there is none.
/// </summary>
public static class CampaignFiles
{
    public const int MaxWorkloads = 20_000;
    public const long MaxAmount = 1_000_000;
    private static readonly string[] Required = ["workload", "agency", "classification", "source_provider", "source_region", "data_gb", "target_date"];
    private static readonly string[] Optional = ["project", "wave", "image", "count"];
    private static readonly string[] NeededClasses = [ResourceClasses.Vcpu, ResourceClasses.MemoryGib, ResourceClasses.StorageGib];

    public static (IReadOnlyList<CampaignRow> Rows, IReadOnlyList<CampaignBadRow> Bad) Read(string format, byte[] content, CampaignFileContext context)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(content).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return ([], [new CampaignBadRow(1, "content", "le fichier n'est pas en UTF-8.", "the file is not UTF-8.")]);
        }
        var fields = format == "json" ? FromJson(text) : FromCsv(text);
        var bad = new List<CampaignBadRow>(fields.Bad);
        if (fields.Rows.Count == 0 && bad.Count > 0)
        {
            return ([], bad);
        }
        var rows = new List<CampaignRow>();
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, values) in fields.Rows)
        {
            var row = Check(line, values, context, bad);
            if (row is null)
            {
                continue;
            }
            if (keys.TryGetValue(row.Key, out var first))
            {
                bad.Add(new(line, "workload", $"« {row.Key} » figure déjà ligne {first}.", $"\"{row.Key}\" already appears on line {first}."));
                continue;
            }
            keys[row.Key] = line;
            rows.Add(row);
        }
        if (fields.Rows.Count + bad.Count == 0)
        {
            bad.Add(new(1, "content", "le fichier ne contient aucune charge.", "the file holds no workload."));
        }
        else if (fields.Rows.Count > MaxWorkloads)
        {
            bad.Add(new(1, "content", $"au plus {MaxWorkloads} charges par fichier.", $"at most {MaxWorkloads} workloads a file."));
        }
        return bad.Count > 0 ? ([], bad) : (rows, []);
    }

    private static CampaignRow? Check(int line, IReadOnlyDictionary<string, string> values, CampaignFileContext context, List<CampaignBadRow> bad)
    {
        var before = bad.Count;
        void Bad(string field, string fr, string en) => bad.Add(new(line, field, fr, en));
        string Text(string field, int max, bool required = true)
        {
            var value = values.GetValueOrDefault(field, "").Trim();
            if (required && value.Length == 0)
            {
                Bad(field, "obligatoire.", "required.");
            }
            else if (value.Length > max)
            {
                Bad(field, $"au plus {max} caractères.", $"at most {max} characters.");
            }
            else if (value.Any(char.IsControl))
            {
                Bad(field, "caractère de contrôle refusé.", "control character refused.");
            }
            return value;
        }
        long Number(string field, long min, long max, long? absent = null)
        {
            var value = values.GetValueOrDefault(field, "").Trim();
            if (value.Length == 0 && absent is { } fallback)
            {
                return fallback;
            }
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
            {
                Bad(field, $"un entier de {min} à {max}.", $"a whole number from {min} to {max}.");
                return 0;
            }
            return number;
        }

        var key = Text("workload", 200);
        var agencyText = Text("agency", 40);
        KnownAgency? agency = null;
        if (agencyText.Length > 0)
        {
            var parts = agencyText.Split('/', 2);
            agency = parts.Length == 2
                ? context.Agencies.FirstOrDefault(a => a.StateCode.Equals(parts[0].Trim(), StringComparison.OrdinalIgnoreCase) && a.Code.Equals(parts[1].Trim(), StringComparison.OrdinalIgnoreCase))
                : null;
            if (agency is null)
            {
                Bad("agency", $"« {agencyText} » ne prend pas part à la campagne (ÉTAT/CODE, par ex. ML/MEF).",
                    $"\"{agencyText}\" does not take part in the campaign (STATE/CODE, e.g. ML/MEF).");
            }
        }
        var classificationText = Text("classification", 20);
        var classification = Codes.ParseClassification(classificationText.ToLowerInvariant());
        if (classificationText.Length > 0 && classification is null)
        {
            Bad("classification", "strategic, sensitive, internal ou public.", "strategic, sensitive, internal or public.");
        }
        var project = Text("project", 200, required: false);
        var provider = Text("source_provider", 100);
        var region = Text("source_region", 100);
        var dataGb = Number("data_gb", 0, 100_000_000);
        var dateText = Text("target_date", 10);
        var targetDate = default(DateOnly);
        if (dateText.Length > 0 && !DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out targetDate))
        {
            Bad("target_date", "une date AAAA-MM-JJ.", "a date YYYY-MM-DD.");
        }
        var wave = (int)Number("wave", 0, 1000, absent: 0);
        if (wave > 0 && !context.Waves.Contains(wave))
        {
            Bad("wave", $"la campagne n'a pas de vague {wave}.", $"the campaign has no wave {wave}.");
        }
        var image = Text("image", 100, required: false);
        var count = (int)Number("count", 1, 100, absent: 1);
        var amounts = new List<(string Class, long Amount)>();
        foreach (var resourceClass in context.KnownClasses)
        {
            if (values.ContainsKey(resourceClass) || NeededClasses.Contains(resourceClass))
            {
                var amount = Number(resourceClass, NeededClasses.Contains(resourceClass) ? 1 : 0, MaxAmount, absent: NeededClasses.Contains(resourceClass) ? null : 0);
                amounts.Add((resourceClass, amount));
            }
        }
        return bad.Count > before || agency is null || classification is null ? null
            : new CampaignRow(line, key, agency, project, classification.Value, provider, region, dataGb, targetDate, wave, image, count, ResourceVector.Of(amounts));
    }

    private sealed record Fields(IReadOnlyList<(int Line, IReadOnlyDictionary<string, string> Values)> Rows, IReadOnlyList<CampaignBadRow> Bad);

    private static Fields FromCsv(string text)
    {
        var records = Csv.Records(text).ToList();
        if (records.Count == 0)
        {
            return new([], [new CampaignBadRow(1, "content", "le fichier est vide.", "the file is empty.")]);
        }
        var header = records[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var bad = new List<CampaignBadRow>();
        foreach (var missing in Required.Where(r => !header.Contains(r)))
        {
            bad.Add(new(1, missing, "colonne manquante.", "column missing."));
        }
        foreach (var duplicate in header.GroupBy(h => h).Where(g => g.Count() > 1))
        {
            bad.Add(new(1, duplicate.Key, "colonne en double.", "column given twice."));
        }
        if (bad.Count > 0)
        {
            return new([], bad);
        }
        var rows = new List<(int, IReadOnlyDictionary<string, string>)>();
        foreach (var (line, values) in records.Skip(1).Where(r => !(r.Fields.Count == 1 && r.Fields[0].Trim().Length == 0)))
        {
            if (values.Count != header.Count)
            {
                bad.Add(new(line, "content", $"{values.Count} champs, l'en-tête en a {header.Count}.", $"{values.Count} fields, the header has {header.Count}."));
                continue;
            }
            rows.Add((line, header.Zip(values).ToDictionary(p => p.First, p => p.Second)));
        }
        return new(rows, bad);
    }

    private static Fields FromJson(string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
            root = document.RootElement.Clone();
        }
        catch (JsonException error)
        {
            return new([], [new CampaignBadRow((int)(error.LineNumber ?? 0) + 1, "content", "JSON illisible.", "unreadable JSON.")]);
        }
        var list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("workloads", out var inner) ? inner : root;
        if (list.ValueKind != JsonValueKind.Array)
        {
            return new([], [new CampaignBadRow(1, "workloads", "une liste de charges est attendue.", "a list of workloads is expected.")]);
        }
        var rows = new List<(int, IReadOnlyDictionary<string, string>)>();
        var bad = new List<CampaignBadRow>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            index++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                bad.Add(new(index, "workloads", "un objet est attendu.", "an object is expected."));
                continue;
            }
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in item.EnumerateObject())
            {
                if (property.Name == "resources" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var amount in property.Value.EnumerateObject())
                    {
                        values[amount.Name.ToLowerInvariant()] = Scalar(amount.Value);
                    }
                }
                else
                {
                    values[property.Name.ToLowerInvariant()] = Scalar(property.Value);
                }
            }
            rows.Add((index, values));
        }
        return new(rows, bad);
    }

    // A value of the wrong kind reads as text that the field's own check refuses by name.
    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };
}

/// <summary>RFC 4180 records with the line each starts on: quoted fields may hold commas, quotes doubled, and line breaks.</summary>
public static class Csv
{
    public static IEnumerable<(int Line, IReadOnlyList<string> Fields)> Records(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                fields.Add(field.ToString());
                field.Clear();
                yield return (start, fields);
                fields = [];
                line++;
                start = line;
            }
            else
            {
                field.Append(c);
            }
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }
}
