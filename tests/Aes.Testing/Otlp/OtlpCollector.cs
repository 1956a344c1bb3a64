using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;

namespace Aes.Testing.Otlp;

/// <summary>A span as a collector received it, with the service that exported it; <see cref="Kind"/> is OTLP's (5: consumer).</summary>
public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope, IReadOnlyDictionary<string, string> Attributes);

/// <summary>One metric point (a gauge's or sum's value, or a histogram's count) with its attributes; <see cref="Sequence"/> orders arrivals.</summary>
public sealed record ReceivedPoint(string Service, string Metric, double Value, IReadOnlyDictionary<string, string> Attributes, long Sequence);

/// <summary>
/// An OTLP/HTTP collector on 127.0.0.1 for the tests: services pointed at it with
/// OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf send their spans and
/// metrics here, and the test reads them back.
/// </summary>
public sealed class OtlpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    // A distributed run exports for tens of minutes: spans are kept by trace and only each series' latest point,
    // so reading them back stays cheap on a loaded machine.
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedSpan>> _spansByTrace = new();
    private readonly ConcurrentDictionary<string, ReceivedPoint> _latestPoints = new();
    private long _sequence;

    public OtlpCollector()
    {
        Port = Infra.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ListenAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The environment that points a service's OpenTelemetry SDK here, exporting every half second.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "1000",
    };

    public IReadOnlyList<ReceivedSpan> SpansOf(string traceId) =>
        _spansByTrace.TryGetValue(traceId, out var spans) ? [.. spans] : [];

    /// <summary>The latest value received for a series whose attributes include these, or null.</summary>
    public double? Latest(string metric, params (string Key, string Value)[] attributes) =>
        _latestPoints.Values
            .Where(p => p.Metric == metric && attributes.All(a => p.Attributes.GetValueOrDefault(a.Key) == a.Value))
            .MaxBy(p => p.Sequence)?.Value;

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            // Each export is answered on its own: five processes exporting spans, metrics and logs every second
            // must not queue behind one another until their exporters time out and drop a batch.
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            body.Position = 0;
            switch (context.Request.Url!.AbsolutePath)
            {
                case "/v1/traces":
                    Receive(ExportTraceServiceRequest.Parser.ParseFrom(body));
                    break;
                case "/v1/metrics":
                    Receive(ExportMetricsServiceRequest.Parser.ParseFrom(body));
                    break;
            }
            context.Response.StatusCode = 200;
        }
        catch (InvalidProtocolBufferException)
        {
            context.Response.StatusCode = 400;
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
            return; // the collector is closing
        }
        context.Response.Close();
    }

    private void Receive(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = ServiceOf(resource.Resource);
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    var traceId = Hex(span.TraceId);
                    _spansByTrace.GetOrAdd(traceId, _ => new ConcurrentQueue<ReceivedSpan>()).Enqueue(new ReceivedSpan(service, traceId, Hex(span.SpanId), Hex(span.ParentSpanId), span.Name, span.Kind,
                        scope.Scope?.Name ?? "", Attributes(span.Attributes)));
                }
            }
        }
    }

    private void Receive(ExportMetricsServiceRequest request)
    {
        foreach (var resource in request.ResourceMetrics)
        {
            var service = ServiceOf(resource.Resource);
            foreach (var metric in resource.ScopeMetrics.SelectMany(scope => scope.Metrics))
            {
                var points = metric.DataCase switch
                {
                    Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(p => (Value(p), p.Attributes)),
                    Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(p => (Value(p), p.Attributes)),
                    Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(p => ((double)p.Count, p.Attributes)),
                    _ => [],
                };
                foreach (var (value, attributes) in points)
                {
                    var labels = Attributes(attributes);
                    var series = $"{service}|{metric.Name}|{string.Join('|', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))}";
                    _latestPoints[series] = new ReceivedPoint(service, metric.Name, value, labels, Interlocked.Increment(ref _sequence));
                }
            }
        }
    }

    private static double Value(NumberDataPoint point) =>
        point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;

    private static string ServiceOf(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "";

    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue> attributes) =>
        attributes.GroupBy(a => a.Key).ToDictionary(g => g.Key, g => Text(g.Last().Value));

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    };

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    public void Dispose() => _listener.Close();
}
