using System.Buffers.Text;
using System.Diagnostics;
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
}
