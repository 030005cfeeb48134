namespace IWouldArgue.Benchmarks;

/// <summary>Delivery latencies in 0.1 ms buckets up to 60 s, recorded lock-free from many readers.</summary>
internal sealed class LatencyHistogram
{
    private const double BucketMs = 0.1;
    private readonly long[] _buckets = new long[600_000];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Record(double milliseconds)
    {
        var bucket = (int)Math.Clamp(milliseconds / BucketMs, 0, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Increment(ref _count);
    }

    /// <summary>The latency below which a fraction <paramref name="q"/> of deliveries fell, in ms.</summary>
    public double Percentile(double q)
    {
        var target = (long)Math.Ceiling(Count * q);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= target && seen > 0)
            {
                return (i + 1) * BucketMs;
            }
        }
        return double.NaN;
    }
}
