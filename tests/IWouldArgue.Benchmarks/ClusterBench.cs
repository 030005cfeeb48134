using System.Diagnostics;
using System.Globalization;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Testing;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The cluster of real processes (<see cref="ProductCluster"/>) measured three ways, printed as Markdown:
/// comments accepted per second by 1 and by 2 Discussions instances, deliveries per second through 1 and 3 Live
/// instances, each instance capped at the same CPU share (a cgroup quota); and the fault timeline of the cluster test
/// with the product's default settings: acknowledged vs delivered, resume times, p99 post->receive per phase.
/// </summary>
internal static class ClusterBench
{
    private static readonly Dictionary<string, string> OpenLimits = new()
    {
        ["Discussions:CommentsPerSecond"] = "1000000",
        ["Discussions:CommentBurst"] = "1000000",
    };

    public static async Task<int> RunAsync(double discussionCores, double liveCores, TimeSpan window)
    {
        Console.WriteLine($"Each Discussions instance capped at {discussionCores.ToString(CultureInfo.InvariantCulture)} cores, each Live instance at {liveCores.ToString(CultureInfo.InvariantCulture)} (cgroup CFS quota); PostgreSQL, NATS, Identity, the gateways and the load uncapped; {window.TotalSeconds} s measured after 3 s of warm-up.");
        Console.WriteLine();
        Console.WriteLine("| what | instances | per second | within 3 s per second | post p50 ms | post p99 ms | post->receive p99 ms | lost | capped cores used |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var accepted = new List<double>();
        foreach (var n in new[] { 1, 2 })
        {
            accepted.Add(await AcceptAsync(n, discussionCores, window));
        }
        var delivered = new List<double>();
        foreach (var m in new[] { 1, 3 })
        {
            delivered.Add(await DeliverAsync(m, liveCores, window));
        }
        Console.WriteLine();
        Console.WriteLine($"- comments accepted, 2 Discussions instances / 1: **{accepted[1] / accepted[0]:F2}x**");
        Console.WriteLine($"- deliveries within 3 s, 3 Live instances / 1: **{delivered[1] / delivered[0]:F2}x** (the load is what two cores can post: both runs are offered the same)");
        Console.WriteLine();
        await ClusterFaultTimeline.RunAsync();
        return 0;
    }

    // Closed loop: 32 discussions with one poster each, posting again as soon as the last post is acknowledged. (Posters
    // of one discussion take turns at its row lock whichever instance they reach; this measures the instances.)
    private static async Task<double> AcceptAsync(int instances, double cores, TimeSpan window)
    {
        await using var cluster = await ProductCluster.StartAsync(discussions: instances, live: 1, gateways: 2, OpenLimits);
        using var gateways = new GatewayChannels(cluster.Gateways.Select(g => g.GrpcAddress));
        var room = await ClusterRoom.CreateAsync(gateways, discussions: 32, watchersEach: 0, postersEach: 1, TimeSpan.Zero);
        var capped = cluster.Discussions.All(d => d.LimitCpu(cores));
        var (rate, cpu, _) = await MeasureAsync(room, window, cluster.Discussions);
        var latencies = room.PostLatencies();
        Console.WriteLine($"| comments accepted | {instances} Discussions | {rate:F0} | | {P(latencies, 0.5):F1} | {P(latencies, 0.99):F1} | | | {(capped ? cpu.ToString("F2", CultureInfo.InvariantCulture) : "not capped: " + cpu.ToString("F2", CultureInfo.InvariantCulture))} |");
        return rate;
    }

    // Open loop: 30 discussions x 10 watchers, a comment every 100 ms in each (300/s, 3,000 deliveries/s).
    private static async Task<double> DeliverAsync(int instances, double cores, TimeSpan window)
    {
        await using var cluster = await ProductCluster.StartAsync(discussions: 2, live: instances, gateways: 2, OpenLimits);
        using var gateways = new GatewayChannels(cluster.Gateways.Select(g => g.GrpcAddress));
        var room = await ClusterRoom.CreateAsync(gateways, discussions: 30, watchersEach: 10, postersEach: 1, TimeSpan.FromMilliseconds(100));
        var capped = cluster.Live.All(l => l.LimitCpu(cores));
        var (_, cpu, deliveries) = await MeasureAsync(room, window, cluster.Live);
        var latencies = room.PostLatencies();
        var (expected, got, receive) = room.Deliveries();
        // What the product promises is delivery within 3 s: a Live tier that falls behind delivers late, not less.
        var onTime = got == 0 ? 0 : deliveries * receive.Count(ms => ms < 3000) / got;
        Console.WriteLine($"| deliveries | {instances} Live | {deliveries:F0} | {onTime:F0} | {P(latencies, 0.5):F1} | {P(latencies, 0.99):F1} | {P(receive, 0.99):F0} | {expected - got} of {expected} | {(capped ? cpu.ToString("F2", CultureInfo.InvariantCulture) : "not capped: " + cpu.ToString("F2", CultureInfo.InvariantCulture))} |");
        return onTime;
    }

    /// <summary>
    /// Runs a room's watchers and posters: 3 s of warm-up, then <paramref name="window"/> measured. Returns comments
    /// acknowledged per second, the cores <paramref name="measured"/> used, and comments delivered per second in the window.
    /// </summary>
    private static async Task<(double Accepted, double Cores, double Delivered)> MeasureAsync(ClusterRoom room, TimeSpan window, IEnumerable<ProductProcess> measured)
    {
        using var stop = new CancellationTokenSource();
        var watching = room.Watchers.Select(w => w.RunAsync(stop.Token)).ToList();
        await Task.WhenAll(room.Watchers.Select(w => w.Ready)).WaitAsync(TimeSpan.FromMinutes(2));
        using var stopPosting = new CancellationTokenSource();
        var posting = room.Posters.Select(p => p.RunAsync(stopPosting.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var cpu = new CpuMeter([.. measured.Select(p => p.Pid ?? throw new InvalidOperationException($"{p.Name} is not running"))]);
        cpu.Start();
        var from = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        var to = Stopwatch.GetTimestamp();
        var cores = cpu.CoresUsed();
        await stopPosting.CancelAsync();
        await Task.WhenAll(posting);
        await Task.Delay(TimeSpan.FromSeconds(5)); // the last comments reach the watchers
        await stop.CancelAsync();
        await Task.WhenAll(watching);
        var seconds = Stopwatch.GetElapsedTime(from, to).TotalSeconds;
        var accepted = room.Posters.Sum(p => p.Acked.Count(a => a.AckedAt >= from && a.AckedAt < to));
        var delivered = room.Watchers.Sum(w => w.Comments.Values.Count(at => at >= from && at < to));
        return (accepted / seconds, cores, delivered / seconds);
    }

    internal static double P(List<double> sorted, double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
}
