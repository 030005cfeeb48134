using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The Live fan-out under load: D discussions, W watchers each (real Watch streams over HTTP/2), one poster
/// per discussion posting R comments/s on a fixed schedule (open loop). Every comment carries its send time,
/// so every delivery to every watcher is a latency sample (post call + append + publish + batch window +
/// fan-out + transport). Rates run one after another on the same streams after one warm-up.
/// Prints one line per rate: "rate=.. deliveries_per_second=.. server_cores=.. per_core=.. p50_ms=.. ...".
/// </summary>
internal static class FanoutLoad
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string address, int serverPid, int discussions, int watchers, int[] rates, TimeSpan duration)
    {
        using var channel = RpcChannel.ForAddress(address);
        var api = new DiscussionsService.Client(channel);
        var rooms = new List<Discussion>();
        for (var d = 0; d < discussions; d++)
        {
            var created = (await api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = $"Bench {d}" }, As("bench-host"))).Discussion;
            await api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("bench-host"));
            rooms.Add(created);
        }
        var people = rooms.SelectMany(r => Enumerable.Range(0, watchers).Select(i => (Room: r, User: $"{r.DiscussionId[..6]}-{i}"))).ToList();
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (p, cancel) =>
            await api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = p.Room.InviteCode }, As(p.User, cancel)));
        Console.Error.WriteLine($"{people.Count} attendees joined; opening watch streams ...");

        var run = new DeliveryRecorder();
        using var stop = new CancellationTokenSource();
        using var http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
        var streams = people.Select(p => Task.Run(() => WatchAsync(http, new Uri(address), p.Room.DiscussionId, p.User, run, stop.Token))).ToList();
        while (run.Started < people.Count)
        {
            await Task.Delay(100);
        }
        Console.Error.WriteLine($"{people.Count} watch streams open; warming up for {WarmUp.TotalSeconds:F0} s ...");
        await Task.Delay(TimeSpan.FromSeconds(3));
        run.Begin("warm");
        await PostAsync(api, rooms, rates[0], WarmUp, "warm");

        var serverCpu = new CpuMeter(serverPid);
        var clientCpu = new CpuMeter(Environment.ProcessId);
        foreach (var rate in rates)
        {
            var tag = $"r{rate}";
            run.Begin(tag);
            serverCpu.Start();
            clientCpu.Start();
            var clock = Stopwatch.StartNew();
            var posted = await PostAsync(api, rooms, rate, duration, tag);
            var postSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(Drain);
            var server = serverCpu.CoresUsed();
            var client = clientCpu.CoresUsed();
            var expected = (long)posted * watchers;
            var delivered = run.Latencies.Count;
            var perSecond = delivered / postSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rate={rate} discussions={discussions} watchers={watchers} posted={posted} expected={expected} delivered={delivered} " +
                $"deliveries_per_second={perSecond:F0} server_cores={server:F2} per_core={perSecond / Math.Max(server, 0.01):F0} client_cores={client:F2} " +
                $"p50_ms={run.Latencies.Percentile(0.5):F1} p99_ms={run.Latencies.Percentile(0.99):F1} p999_ms={run.Latencies.Percentile(0.999):F1} resyncs={run.Resyncs}"));
        }
        await stop.CancelAsync();
        return 0;
    }

    /// <summary>Posts <paramref name="rate"/> comments/s to each room on a fixed schedule, not waiting for answers before the next.</summary>
    private static async Task<int> PostAsync(DiscussionsService.Client api, List<Discussion> rooms, int rate, TimeSpan duration, string tag)
    {
        var posted = 0;
        await Task.WhenAll(rooms.Select(async (room, index) =>
        {
            var interval = TimeSpan.FromSeconds(1.0 / rate);
            var start = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency * index / rooms.Count);
            var calls = new List<Task>();
            for (var n = 0; ; n++)
            {
                var due = start + (long)(n * interval.TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (Stopwatch.GetElapsedTime(start) + wait > duration)
                {
                    break;
                }
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                var text = string.Create(CultureInfo.InvariantCulture, $"{tag}:{Stopwatch.GetTimestamp()}");
                calls.Add(api.PostCommentAsync(new PostCommentRequest { DiscussionId = room.DiscussionId, Text = text }, As("bench-host")).ResponseAsync);
                Interlocked.Increment(ref posted);
            }
            await Task.WhenAll(calls);
        }));
        return posted;
    }

    /// <summary>
    /// One watch stream, read lean so that the load generator is not what is measured: raw gRPC over HTTP/2
    /// (no message parsing), each payload scanned for the comment texts of the current run, whose digits are
    /// the send time. A stream that ends (a resync) is counted and opened again.
    /// </summary>
    private static async Task WatchAsync(HttpClient http, Uri address, string discussionId, string user, DeliveryRecorder run, CancellationToken stop)
    {
        var request = new WatchRequest { DiscussionId = discussionId }.ToByteArray();
        var body = new byte[5 + request.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)request.Length);
        request.CopyTo(body, 5);
        var started = false;
        var buffer = new byte[64 * 1024];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/iwouldargue.v1.LiveService/Watch"))
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                    Content = new ByteArrayContent(body),
                };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
                message.Headers.TryAddWithoutValidation("te", "trailers");
                message.Headers.TryAddWithoutValidation("iwouldargue-user-id", user);
                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, stop);
                await using var stream = await response.Content.ReadAsStreamAsync(stop);
                var filled = 0;
                while (true)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(filled), stop);
                    if (read == 0)
                    {
                        break;
                    }
                    filled += read;
                    var offset = 0;
                    while (filled - offset >= 5)
                    {
                        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(offset + 1));
                        if (filled - offset < 5 + length)
                        {
                            break;
                        }
                        if (!started)
                        {
                            started = true;
                            run.StreamStarted();
                        }
                        run.Delivered(buffer.AsSpan(offset + 5, length));
                        offset += 5 + length;
                    }
                    Buffer.BlockCopy(buffer, offset, buffer, 0, filled - offset);
                    filled -= offset;
                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }
                run.Resynced();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                run.Resynced();
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    private static CallOptions As(string user, CancellationToken cancellationToken = default) =>
        new(new Metadata { { "iwouldargue-user-id", user } }, CancellationToken: cancellationToken);
}
