using System.Diagnostics;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace IWouldArgue.Cluster.Tests;

/// <summary>
/// The cluster as real processes: 2 Identity, 2 Discussions, 3 Live, 2 gateways, one
/// PostgreSQL and one NATS JetStream. While people post and watch three discussions through both gateways, one Live
/// instance (the owner of a watched discussion), one Discussions instance and one gateway are killed with SIGKILL and
/// started again, and the broker is killed and restarted.
/// </summary>
[Trait("Runs", "RealProcesses")]
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int DiscussionCount = 3;
    private const int WatchersPerDiscussion = 4;

    // The product's defaults, but for the per-person comment rate (each poster posts 4 a second).
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Discussions:CommentsPerSecond"] = "100",
        ["Discussions:CommentBurst"] = "100",
    };

    [Fact]
    public async Task KillingEachKindOfInstance_AndTheBroker_EveryAcknowledgedCommentReachesEveryWatcherOnce_InSeqOrder()
    {
        await using var cluster = await ProductCluster.StartAsync(discussions: 2, live: 3, gateways: 2, Settings);
        using var gateways = new GatewayChannels(cluster.Gateways.Select(g => g.GrpcAddress));
        var room = await ClusterRoom.CreateAsync(gateways, DiscussionCount, WatchersPerDiscussion, postersEach: 2, TimeSpan.FromMilliseconds(250));
        var (watchers, posters) = (room.Watchers, room.Posters);
        using var stopWatching = new CancellationTokenSource();
        using var stopPosting = new CancellationTokenSource();
        var watching = watchers.Select(w => w.RunAsync(stopWatching.Token)).ToList();
        await Task.WhenAll(watchers.Select(w => w.Ready)).WaitAsync(TimeSpan.FromSeconds(60));
        var posting = posters.Select(p => p.RunAsync(stopPosting.Token)).ToList();
        var began = Stopwatch.GetTimestamp();
        var steps = await ClusterFaults.RunAsync(cluster, watchers[0].DiscussionId, TimeSpan.FromSeconds(3));
        await stopPosting.CancelAsync();
        await Task.WhenAll(posting);

        var acked = posters.SelectMany(p => p.Acked).ToList();
        await room.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(60));
        steps.Add(new FaultStep(Stopwatch.GetTimestamp(), "watchers caught up (or gave up)"));
        var timeline = steps.Select(s => $"{Stopwatch.GetElapsedTime(began, s.At).TotalSeconds,6:F1} s  {s.What}").ToList();
        await stopWatching.CancelAsync();
        await Task.WhenAll(watching);

        Report(cluster, timeline, posters, watchers);
        Assert.True(acked.Count >= 100, $"only {acked.Count} comments were acknowledged: the cluster was not under load");
        Assert.All(watchers, w => Assert.Empty(w.Violations));
        Assert.All(watchers, w =>
        {
            var missing = acked.Where(a => a.DiscussionId == w.DiscussionId && a.Seq > w.StartSeq && !w.Comments.ContainsKey(a.CommentId)).ToList();
            Assert.True(missing.Count == 0, $"a watcher of {w.DiscussionId} lacks {missing.Count} acknowledged comments (seqs {string.Join(", ", missing.Take(10).Select(m => m.Seq))})");
        });
        foreach (var discussionId in watchers.Select(w => w.DiscussionId).Distinct())
        {
            var (count, max) = await EventLogAsync(cluster.DatabaseConnectionString, discussionId);
            Assert.Equal(max, count); // dense: seqs 1..max, each once
        }
        Assert.Contains(watchers, w => w.Reconnects > 0); // the faults reached the watchers
    }

    private static async Task<(long Count, long Max)> EventLogAsync(string connectionString, string discussionId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), COALESCE(max(seq), 0) FROM events WHERE discussion_id = @id", connection);
        command.Parameters.AddWithValue("id", discussionId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private void Report(ProductCluster cluster, List<string> timeline, IReadOnlyList<CommentPoster> posters, IReadOnlyList<SeqWatcher> watchers)
    {
        foreach (var line in timeline)
        {
            output.WriteLine(line);
        }
        output.WriteLine($"acknowledged {posters.Sum(p => p.Acked.Count)}, failed posts {posters.Sum(p => p.Failures)}");
        var outages = watchers.SelectMany(w => w.Outages).Select(o => o.Length).Order().ToList();
        output.WriteLine($"watcher reconnects {watchers.Sum(w => w.Reconnects)}; longest outage {(outages.Count > 0 ? outages[^1].TotalSeconds : 0):F1} s");
        foreach (var violation in watchers.SelectMany(w => w.Violations).Take(20))
        {
            output.WriteLine("violation: " + violation);
        }
        foreach (var process in cluster.Processes)
        {
            output.WriteLine($"--- {process.Name} (log tail)");
            output.WriteLine(process.Tail(15));
        }
    }
}
