using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Aes.ServiceDefaults;

/// <summary>The marketplace's own activity source and meter, exported by every service.</summary>
public static class Telemetry
{
    public const string ActivitySourceName = "Aes.Marketplace";
    public const string MeterName = "Aes.Marketplace";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
    public static readonly Meter Meter = new(MeterName);
}
