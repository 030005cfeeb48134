using System.Diagnostics.Metrics;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Contracts;

/// <summary>
/// The product's own measurements, on the meter <see cref="MeterName"/> (exported by OpenTelemetry when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set; free when nothing listens).
/// </summary>
public static class ProductMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "IWouldArgue";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Comments appended to discussions' event logs.</summary>
    public static Counter<long> CommentsAppended { get; } = Meter.CreateCounter<long>("iwouldargue.comments.appended", "{comment}", "Comments appended to discussions' event logs");

    /// <summary>Events written to watchers' streams (one event reaching one watcher).</summary>
    public static Counter<long> Deliveries { get; } = Meter.CreateCounter<long>("iwouldargue.live.deliveries", "{event}", "Events written to watch streams (tier: live on a Live instance, edge on a gateway fanning out)");

    /// <summary>Watch streams open on this instance.</summary>
    public static UpDownCounter<int> Watchers { get; } = Meter.CreateUpDownCounter<int>("iwouldargue.live.watchers", "{stream}", "Watch streams open on this instance");

    /// <summary>Watch streams ended with a resync marker (fell behind, or the instance stopped).</summary>
    public static Counter<long> Resyncs { get; } = Meter.CreateCounter<long>("iwouldargue.live.resyncs", "{stream}", "Watch streams sent a resync marker and ended");

    /// <summary>From an event's append to its frame going out to a discussion's watchers.</summary>
    public static Histogram<double> FanoutLag { get; } = Meter.CreateHistogram<double>("iwouldargue.live.fanout_lag", "ms", "From an event's append to its frame going out to watchers");

    /// <summary>Records the lag of a frame whose oldest event is <paramref name="first"/>.</summary>
    public static void RecordFanoutLag(DiscussionEvent first, DateTimeOffset now)
    {
        if (FanoutLag.Enabled && first?.OccurredAt is { } occurred)
        {
            FanoutLag.Record((now - occurred.ToDateTimeOffset()).TotalMilliseconds);
        }
    }
}
