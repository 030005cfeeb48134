using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The reference for <see cref="FanoutLoad"/>: the same fan-out on nats-server core pub/sub. D subjects,
/// W subscriptions each spread over the same number of connections our watch streams use, one publisher
/// publishing R messages/s per subject, payloads the size of our comment frames carrying their send time.
/// Speaks the NATS client protocol (INFO / CONNECT / SUB / PUB / MSG / PING) over TCP: no NATS .NET
/// client restores here. Prints the same line format as the fan-out load.
/// </summary>
internal static class NatsReference
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private const int PayloadSize = 160;

    public static async Task<int> RunAsync(int port, int serverPid, int subjects, int subscribers, int[] rates, TimeSpan duration, int connections, Arrivals arrivals)
    {
        var run = new DeliveryRecorder();
        var received = new List<NatsConnection>();
        for (var c = 0; c < connections; c++)
        {
            var connection = await NatsConnection.ConnectAsync(port);
            received.Add(connection);
        }
        // Subscription k goes to connection k mod C, as watch streams spread over HTTP/2 connections.
        var sid = 0;
        for (var s = 0; s < subjects; s++)
        {
            for (var w = 0; w < subscribers; w++)
            {
                await received[sid % connections].SendAsync($"SUB room.{s} {++sid}\r\n");
            }
        }
        foreach (var connection in received)
        {
            await connection.SendAsync("PING\r\n");
            _ = connection.ReadLoopAsync(run);
        }
        await using var publisher = await NatsConnection.ConnectAsync(port);
        await Task.Delay(500);
        run.Begin("warm");
        await PublishAsync(publisher, subjects, arrivals, rates[0], WarmUp, "warm");

        await run.SweepAsync([serverPid], rates, duration, subjects, subscribers, async (rate, tag) =>
            (await PublishAsync(publisher, subjects, arrivals, rate, duration, tag), ""));
        foreach (var connection in received)
        {
            await connection.DisposeAsync();
        }
        return 0;
    }

    // Each subject publishes on its own schedule; messages due at the same instant (Arrivals.Together) still
    // go as one PUB per write, as our load posts one comment per call.
    private static async Task<int> PublishAsync(NatsConnection publisher, int subjects, Arrivals arrivals, int rate, TimeSpan duration, string tag)
    {
        var posted = 0;
        await Task.WhenAll(Enumerable.Range(0, subjects).Select(async s =>
        {
            var schedule = PostingSchedule.For(arrivals, s, subjects, rate, duration);
            for (var n = 0; await schedule.WaitForAsync(n); n++)
            {
                var body = string.Create(CultureInfo.InvariantCulture, $"{tag}:{Stopwatch.GetTimestamp()} ").PadRight(PayloadSize, 'x');
                await publisher.SendAsync($"PUB room.{s} {body.Length}\r\n{body}\r\n");
                Interlocked.Increment(ref posted);
            }
        }));
        return posted;
    }

    /// <summary>One NATS client connection: the text protocol over TCP.</summary>
    private sealed class NatsConnection : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly SemaphoreSlim _writeLock = new(1, 1);

        private NatsConnection(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        public static async Task<NatsConnection> ConnectAsync(int port)
        {
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync("127.0.0.1", port);
            var connection = new NatsConnection(tcp);
            // The server speaks first (INFO); then we introduce ourselves.
            var info = new byte[4096];
            _ = await connection._stream.ReadAsync(info);
            await connection.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"bench\"}\r\n");
            return connection;
        }

        public async Task SendAsync(string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            await _writeLock.WaitAsync();
            try
            {
                await _stream.WriteAsync(bytes);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        /// <summary>Records each MSG payload's latency; answers the server's PINGs.</summary>
        public async Task ReadLoopAsync(DeliveryRecorder run)
        {
            var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync();
                    var buffer = result.Buffer;
                    var pings = 0;
                    while (TryReadOne(ref buffer, run, ref pings))
                    {
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    for (; pings > 0; pings--)
                    {
                        await SendAsync("PONG\r\n");
                    }
                    if (result.IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (IOException)
            {
                // Closed at the end of the run.
            }
            catch (ObjectDisposedException)
            {
            }
        }

        // "MSG <subject> <sid> <size>\r\n<payload>\r\n", or a control line (PING, +OK, INFO).
        private static bool TryReadOne(ref ReadOnlySequence<byte> buffer, DeliveryRecorder run, ref int pings)
        {
            var lineEnd = buffer.PositionOf((byte)'\n');
            if (lineEnd is null)
            {
                return false;
            }
            var lineSequence = buffer.Slice(0, lineEnd.Value);
            Span<byte> line = stackalloc byte[(int)Math.Min(lineSequence.Length, 256)];
            lineSequence.Slice(0, line.Length).CopyTo(line);
            var afterLine = buffer.Slice(buffer.GetPosition(1, lineEnd.Value));
            if (line.StartsWith("MSG "u8))
            {
                var trimmed = line.TrimEnd((byte)'\r');
                if (!Utf8Parser.TryParse(trimmed[(trimmed.LastIndexOf((byte)' ') + 1)..], out int size, out _))
                {
                    throw new InvalidDataException("A MSG line without a size.");
                }
                if (afterLine.Length < size + 2)
                {
                    return false;
                }
                var payload = afterLine.Slice(0, size);
                run.Delivered(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray());
                buffer = afterLine.Slice(size + 2);
                return true;
            }
            if (line.StartsWith("PING"u8))
            {
                pings++;
            }
            buffer = afterLine;
            return true;
        }

        public async ValueTask DisposeAsync()
        {
            _tcp.Dispose();
            _writeLock.Dispose();
            await Task.CompletedTask;
        }
    }
}
