using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace IWouldArgue.Benchmarks;

/// <summary>What one rate's run recorded: a latency per delivery of a message sent during that run (tagged "run:send time").</summary>
internal sealed class DeliveryRecorder
{
    private volatile byte[] _tagBytes = Encoding.ASCII.GetBytes("none:");
    private int _started;
    private int _resyncs;

    public LatencyHistogram Latencies { get; private set; } = new();

    public int Started => Volatile.Read(ref _started);

    public int Resyncs => Volatile.Read(ref _resyncs);

    public void Begin(string tag)
    {
        Latencies = new LatencyHistogram();
        _tagBytes = Encoding.ASCII.GetBytes(tag + ":");
    }

    public void StreamStarted() => Interlocked.Increment(ref _started);

    public void Resynced() => Interlocked.Increment(ref _resyncs);

    /// <summary>Finds every "tag:digits" comment text of the current run in a frame and records its latency.</summary>
    public void Delivered(ReadOnlySpan<byte> frame)
    {
        var tag = _tagBytes;
        while (true)
        {
            var at = frame.IndexOf(tag);
            if (at < 0)
            {
                return;
            }
            frame = frame[(at + tag.Length)..];
            var digits = 0;
            while (digits < frame.Length && frame[digits] is >= (byte)'0' and <= (byte)'9')
            {
                digits++;
            }
            if (Utf8Parser.TryParse(frame[..digits], out long sentAt, out _))
            {
                Latencies.Record(Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
            }
            frame = frame[digits..];
        }
    }

    /// <summary>
    /// Runs each rate in turn: <paramref name="send"/> sends for <paramref name="duration"/> (returning how many
    /// messages it sent, and extra figures to print), deliveries drain for 2 s, then one line of figures is
    /// printed with the server's and this process's CPU use over the run.
    /// </summary>
    public async Task SweepAsync(int[] serverPids, int[] rates, TimeSpan duration, int discussions, int watchers, Func<int, string, Task<(int Sent, string Extra)>> send)
    {
        var serverCpu = new CpuMeter(serverPids);
        var clientCpu = new CpuMeter(Environment.ProcessId);
        foreach (var rate in rates)
        {
            var tag = $"r{rate}";
            Begin(tag);
            serverCpu.Start();
            clientCpu.Start();
            var clock = Stopwatch.StartNew();
            var (sent, extra) = await send(rate, tag);
            var seconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(2));
            var each = serverCpu.CoresEach();
            var server = serverCpu.CoresUsed();
            var client = clientCpu.CoresUsed();
            var delivered = Latencies.Count;
            var perSecond = delivered / seconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rate={rate} discussions={discussions} watchers={watchers} posted={sent} expected={(long)sent * watchers} delivered={delivered} " +
                $"deliveries_per_second={perSecond:F0} server_cores={server:F2} server_cores_each={each} per_core={perSecond / Math.Max(server, 0.01):F0} client_cores={client:F2} " +
                $"p50_ms={Latencies.Percentile(0.5):F1} p99_ms={Latencies.Percentile(0.99):F1} p999_ms={Latencies.Percentile(0.999):F1} resyncs={Resyncs} {extra}"));
        }
    }
}
