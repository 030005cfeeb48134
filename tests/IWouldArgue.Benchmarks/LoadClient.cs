using Grpc.Net.Client;
using System.Diagnostics;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// Closed-loop load: <c>concurrency</c> callers each issue calls back to back for a fixed time.
/// Prints "ops=.. seconds=.. ops_per_second=.. p50_ms=.. p99_ms=..", and with the server's pid the CPU it
/// used meanwhile: "server_cores=.. server_us_per_op=.." (steal time on a shared machine is not counted).
/// </summary>
internal static class LoadClient
{
    /// <summary>
    /// Posts comments to <paramref name="discussions"/> live discussions, spread evenly, as the host alone
    /// (<paramref name="posters"/> 1) or as that many attendees of every discussion, caller i posting as attendee i mod posters.
    /// <paramref name="watched"/>: the host watches every discussion (one Watch stream each, read and discarded), so a Live
    /// instance serves it and its events are published to Live, not only logged.
    /// </summary>
    public static async Task<int> CommentsAsync(string address, int discussions, TimeSpan duration, int concurrency, int? serverPid, int posters = 1, bool watched = false)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var api = new DiscussionsService.DiscussionsServiceClient(channel);
        var ids = new List<string>();
        for (var i = 0; i < discussions; i++)
        {
            var created = (await api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = $"Bench {i}" }, As("bench-host"))).Discussion;
            await api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("bench-host"));
            ids.Add(created.DiscussionId);
            for (var p = 0; posters > 1 && p < posters; p++)
            {
                await api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, As($"bench-poster-{p}"));
            }
        }
        using var stopWatching = new CancellationTokenSource();
        var watching = watched
            ? ids.Select(id => DrainAsync(new LiveService.LiveServiceClient(channel).Watch(new WatchRequest { DiscussionId = id }, As("bench-host", stopWatching.Token)))).ToList()
            : [];
        string Poster(int worker) => posters > 1 ? $"bench-poster-{worker % posters}" : "bench-host";
        var result = await RunAsync(duration, concurrency, serverPid, async (worker, n) =>
            await api.PostCommentAsync(new PostCommentRequest { DiscussionId = ids[(worker + n) % ids.Count], Text = $"comment {worker}-{n}" }, As(Poster(worker))));
        await stopWatching.CancelAsync();
        await Task.WhenAll(watching);
        return result;
    }

    private static async Task DrainAsync(AsyncServerStreamingCall<WatchResponse> call)
    {
        using (call)
        {
            try
            {
                await foreach (var _ in call.ResponseStream.ReadAllAsync())
                {
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                // Stopped at the end of the run.
            }
        }
    }

    /// <summary>The reference: unary Echo calls at the same concurrency.</summary>
    public static async Task<int> EchoAsync(string address, TimeSpan duration, int concurrency, int? serverPid)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var api = new DiagnosticsService.DiagnosticsServiceClient(channel);
        return await RunAsync(duration, concurrency, serverPid, async (_, _) => await api.EchoAsync(new EchoRequest { Message = "comment-sized text" }));
    }

    // Long enough for tiered JIT to finish on a busy 2-core machine (measured: ~20 s of load).
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20);

    private static async Task<int> RunAsync(TimeSpan duration, int concurrency, int? serverPid, Func<int, int, Task> call)
    {
        // Warm up the path (tiered JIT, connections, SQLite pages) before measuring.
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Repeat(w, WarmUp, call, latencies: null)));
        var latencies = new List<double>[concurrency];
        var server = serverPid is { } pid ? new CpuMeter(pid) : null;
        server?.Start();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Repeat(w, duration, call, latencies[w] = [])));
        var seconds = clock.Elapsed.TotalSeconds;
        var cores = server?.CoresUsed();
        var all = latencies.SelectMany(l => l).Order().ToList();
        var p = (double q) => all[Math.Min(all.Count - 1, (int)(all.Count * q))];
        var serverCpu = cores is { } c ? FormattableString.Invariant($" server_cores={c:F2} server_us_per_op={c * seconds * 1e6 / all.Count:F1}") : "";
        Console.WriteLine(FormattableString.Invariant($"ops={all.Count} seconds={seconds:F2} ops_per_second={all.Count / seconds:F0} p50_ms={p(0.5):F2} p99_ms={p(0.99):F2}") + serverCpu);
        return 0;
    }

    private static async Task Repeat(int worker, TimeSpan duration, Func<int, int, Task> call, List<double>? latencies)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (var n = 0; Stopwatch.GetTimestamp() < until; n++)
        {
            var start = Stopwatch.GetTimestamp();
            await call(worker, n);
            latencies?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private static CallOptions As(string user, CancellationToken cancellationToken = default) =>
        new(new Metadata { { "iwouldargue-user-id", user } }, cancellationToken: cancellationToken);
}
