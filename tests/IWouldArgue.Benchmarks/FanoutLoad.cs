using Grpc.Net.Client;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The Live fan-out under load: D discussions, W watchers each (real Watch streams over HTTP/2), R comments/s
/// per discussion on a fixed schedule (open loop), posted by ten of its attendees in turn. Every comment carries its send time,
/// so every delivery to every watcher is a latency sample (post call + append + publish + batch window +
/// fan-out + transport). Rates run one after another on the same streams after one warm-up. Watch streams
/// are read by <see cref="H2WatchConnection"/>, a given number to a connection (100 by default, Kestrel's
/// stream limit), stream k on connection k mod C as the nats reference spreads its subscriptions.
/// Prints one line per rate: "rate=.. deliveries_per_second=.. server_cores=.. per_core=.. p50_ms=.. ...".
/// </summary>
internal static class FanoutLoad
{
    // Long enough for the server's tiered JIT to settle: on one busy core it kept recompiling hot methods
    // for 60-90 s (measured: server CPU at 5/s fell from 0.73 cores in the first 10 s after a 20 s warm-up
    // to 0.45 from the fourth 10 s on), and a shorter warm-up measured the JIT, not the fan-out. WARMUP_SECONDS
    // overrides it (the tier's four processes share one core and take longer).
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("WARMUP_SECONDS"), out var seconds) ? seconds : 75);

    public static async Task<int> RunAsync(string address, int[] serverPids, int discussions, int watchers, int[] rates, TimeSpan duration, int streamsPerConnection, Arrivals arrivals)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var api = new DiscussionsService.DiscussionsServiceClient(channel);
        var rooms = new List<Discussion>();
        for (var d = 0; d < discussions; d++)
        {
            var created = (await api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = $"Bench {d}" }, As("bench-host"))).Discussion;
            await api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("bench-host"));
            rooms.Add(created);
        }
        var people = rooms.SelectMany(r => Enumerable.Range(0, watchers).Select(i => (Room: r, User: AttendeeOf(r, i)))).ToList();
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (p, cancel) =>
            await api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = p.Room.InviteCode }, As(p.User, cancel)));
        Console.Error.WriteLine($"{people.Count} attendees joined; opening watch streams ...");

        var run = new DeliveryRecorder();
        // Watch streams on lean HTTP/2 connections, each connection carrying watchers of every discussion.
        var uri = new Uri(address);
        var connections = new List<H2WatchConnection>();
        for (var c = 0; c < (people.Count + streamsPerConnection - 1) / streamsPerConnection; c++)
        {
            connections.Add(await H2WatchConnection.OpenAsync(uri.Host, uri.Port, run));
        }
        for (var i = 0; i < people.Count; i++)
        {
            var request = new WatchRequest { DiscussionId = people[i].Room.DiscussionId }.ToByteArray();
            var framed = new byte[5 + request.Length];
            BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)request.Length);
            request.CopyTo(framed, 5);
            await connections[i % connections.Count].WatchAsync(uri.Authority, people[i].User, framed);
        }
        // A stream that ends before its first frame (refused, reset) would otherwise be waited for forever: count it.
        var lastReport = DateTime.UtcNow;
        while (run.Started + run.Resyncs < people.Count)
        {
            await Task.Delay(100);
            if (DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(30))
            {
                Console.Error.WriteLine($"  {run.Started} open, {run.Resyncs} ended before their first frame, {people.Count - run.Started - run.Resyncs} waiting ...");
                lastReport = DateTime.UtcNow;
            }
        }
        if (run.Resyncs > 0)
        {
            Console.Error.WriteLine($"{run.Resyncs} of {people.Count} watch streams ended before their first frame");
        }
        Console.Error.WriteLine($"{run.Started} watch streams open; warming up for {WarmUp.TotalSeconds:F0} s ...");
        await Task.Delay(TimeSpan.FromSeconds(3));
        run.Begin("warm");
        await PostAsync(api, rooms, arrivals, rates[0], WarmUp, "warm", new LatencyHistogram());

        await run.SweepAsync(serverPids, rates, duration, discussions, watchers, async (rate, tag) =>
        {
            var postLatencies = new LatencyHistogram();
            var posted = await PostAsync(api, rooms, arrivals, rate, duration, tag, postLatencies);
            return (posted, string.Create(CultureInfo.InvariantCulture, $"post_p50_ms={postLatencies.Percentile(0.5):F1} post_p99_ms={postLatencies.Percentile(0.99):F1}"));
        });
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
        return 0;
    }

    /// <summary>Posts <paramref name="rate"/> comments/s to each room on a fixed schedule, not waiting for answers before the next.</summary>
    private static async Task<int> PostAsync(DiscussionsService.DiscussionsServiceClient api, List<Discussion> rooms, Arrivals arrivals, int rate, TimeSpan duration, string tag, LatencyHistogram postLatencies)
    {
        var posted = 0;
        await Task.WhenAll(rooms.Select(async (room, index) =>
        {
            var schedule = PostingSchedule.For(arrivals, index, rooms.Count, rate, duration);
            var calls = new List<Task>();
            for (var n = 0; await schedule.WaitForAsync(n); n++)
            {
                var text = string.Create(CultureInfo.InvariantCulture, $"{tag}:{Stopwatch.GetTimestamp()}");
                calls.Add(TimedPostAsync(api, room.DiscussionId, PosterOf(room, n), text, postLatencies));
                Interlocked.Increment(ref posted);
            }
            await Task.WhenAll(calls);
        }));
        return posted;
    }

    // A room's comments come from several of its attendees in turn, as in a discussion (one person cannot post
    // 5 comments/s; one poster for every room made each comment wait for the one before in that person's rate limit).
    private const int PostersPerRoom = 10;

    private static string PosterOf(Discussion room, int n) => AttendeeOf(room, n % PostersPerRoom);

    private static string AttendeeOf(Discussion room, int i) => $"{room.DiscussionId[..6]}-{i}";

    private static async Task TimedPostAsync(DiscussionsService.DiscussionsServiceClient api, string discussionId, string poster, string text, LatencyHistogram latencies)
    {
        var start = Stopwatch.GetTimestamp();
        await api.PostCommentAsync(new PostCommentRequest { DiscussionId = discussionId, Text = text }, As(poster));
        latencies.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private static CallOptions As(string user, CancellationToken cancellationToken = default) =>
        new(new Metadata { { "iwouldargue-user-id", user } }, cancellationToken: cancellationToken);
}
