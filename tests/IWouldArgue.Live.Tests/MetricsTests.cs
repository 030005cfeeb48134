using System.Diagnostics.Metrics;
using IWouldArgue.Contracts;

namespace IWouldArgue.Live.Tests;

/// <summary>The product's own meter as a metrics exporter sees it, during a real fan-out.</summary>
public class MetricsTests
{
    [Fact]
    public async Task Watching_CountsWatchersAndDeliveries_AndRecordsTheFanoutLag()
    {
        long deliveries = 0, lags = 0;
        int watchers = 0, peakWatchers = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ProductMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "iwouldargue.live.deliveries")
            {
                Interlocked.Add(ref deliveries, value);
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "iwouldargue.live.watchers")
            {
                var now = Interlocked.Add(ref watchers, value);
                InterlockedMax(ref peakWatchers, now);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
        {
            if (instrument.Name == "iwouldargue.live.fanout_lag")
            {
                Interlocked.Increment(ref lags);
            }
        });
        listener.Start();
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        var room = await Room.OpenAsync(host, attendees: 3);
        var sessions = Enumerable.Range(0, 3).Select(i => WatchSession.OverGrpc(host, room.Id, $"user-{i}")).ToList();
        await Task.WhenAll(sessions.Select(s => s.WaitUntilAsync(w => w.Frames.Count > 0)));
        await Room.WaitForRoutesAsync();

        await room.PostAsync(10, "measured");
        var last = await room.LastSeqAsync();
        await Task.WhenAll(sessions.Select(s => s.WaitForSeqAsync(last, TimeSpan.FromSeconds(30))));
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }

        // Other tests run beside this one in the process, so the figures are at least this run's.
        Assert.True(Interlocked.Read(ref deliveries) >= 30, $"deliveries counted: {deliveries}");
        Assert.True(Interlocked.Read(ref lags) >= 1, "no fan-out lag was recorded");
        Assert.True(Volatile.Read(ref peakWatchers) >= 3, $"peak watchers counted: {peakWatchers}");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}
