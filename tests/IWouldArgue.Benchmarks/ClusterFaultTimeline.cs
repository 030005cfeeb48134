using System.Diagnostics;
using IWouldArgue.Testing;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The cluster test's faults (<see cref="ClusterFaults"/>) with the product's default settings (a Live instance's
/// registration lapses 15 s after its last renewal), 5 s apart, while 6 posters and 12 watchers run on 3
/// discussions: the timeline, acknowledged vs delivered, and per phase the p99 post->receive and the resumes.
/// </summary>
internal static class ClusterFaultTimeline
{
    public static async Task RunAsync()
    {
        await using var cluster = await ProductCluster.StartAsync(discussions: 2, live: 3, gateways: 2, new Dictionary<string, string>
        {
            ["Discussions:CommentsPerSecond"] = "100",
            ["Discussions:CommentBurst"] = "100",
        });
        using var gateways = new GatewayChannels(cluster.Gateways.Select(g => g.GrpcAddress));
        var room = await ClusterRoom.CreateAsync(gateways, discussions: 3, watchersEach: 4, postersEach: 2, TimeSpan.FromMilliseconds(250));
        using var stop = new CancellationTokenSource();
        using var stopPosting = new CancellationTokenSource();
        var watching = room.Watchers.Select(w => w.RunAsync(stop.Token)).ToList();
        await Task.WhenAll(room.Watchers.Select(w => w.Ready)).WaitAsync(TimeSpan.FromMinutes(2));
        var posting = room.Posters.Select(p => p.RunAsync(stopPosting.Token)).ToList();
        var began = Stopwatch.GetTimestamp();
        var steps = await ClusterFaults.RunAsync(cluster, room.Watchers[0].DiscussionId, TimeSpan.FromSeconds(5));
        await stopPosting.CancelAsync();
        await Task.WhenAll(posting);
        await room.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(60));
        var caughtUp = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        await Task.WhenAll(watching);

        var (expected, got, _) = room.Deliveries();
        Console.WriteLine($"Fault timeline (2 Discussions, 3 Live, 2 gateways, default settings; 3 discussions x 4 watchers, 6 posters at 4/s): " +
            $"acknowledged {room.Posters.Sum(p => p.Acked.Count)} comments, failed posts {room.Posters.Sum(p => p.Failures)}; deliveries owed {expected}, made {got}; " +
            $"order violations {room.Watchers.Sum(w => w.Violations.Count)}; all watchers caught up {Stopwatch.GetElapsedTime(steps[^1].At, caughtUp).TotalSeconds:F1} s after posting stopped.");
        Console.WriteLine();
        Console.WriteLine("| from (s) | phase | comments posted | p99 post->receive ms | max ms | streams broken | longest resume s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var phases = new List<FaultStep> { new(began, "steady") };
        phases.AddRange(steps);
        for (var i = 0; i < phases.Count - 1; i++)
        {
            var (from, to) = (phases[i].At, phases[i + 1].At);
            var receive = ReceiveTimes(room, from, to);
            var outages = room.Watchers.SelectMany(w => w.Outages).Where(o => o.BrokenAt >= from && o.BrokenAt < to).ToList();
            Console.WriteLine($"| {Stopwatch.GetElapsedTime(began, from).TotalSeconds:F1} | {phases[i].What} | {room.Posters.Sum(p => p.Acked.Count(a => a.SentAt >= from && a.SentAt < to))} | " +
                $"{ClusterBench.P(receive, 0.99):F0} | {(receive.Count > 0 ? receive[^1] : 0):F0} | {outages.Count} | {(outages.Count > 0 ? outages.Max(o => o.Length.TotalSeconds) : 0):F1} |");
        }
    }

    private static List<double> ReceiveTimes(ClusterRoom room, long from, long to)
    {
        var sent = room.Posters.SelectMany(p => p.Acked).Where(a => a.SentAt >= from && a.SentAt < to).ToDictionary(a => a.CommentId);
        var times = room.Watchers.SelectMany(w => w.Comments.Where(c => sent.ContainsKey(c.Key)).Select(c => Stopwatch.GetElapsedTime(sent[c.Key].SentAt, c.Value).TotalMilliseconds)).ToList();
        times.Sort();
        return times;
    }
}
