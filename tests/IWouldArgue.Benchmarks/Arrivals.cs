using System.Diagnostics;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// How the fan-out loads' D sources (discussions, nats subjects) place their messages in time, at R per
/// second each. Both systems under comparison get the same pattern; it decides how much a server can put
/// in one socket write, so a report names the pattern it ran.
/// </summary>
internal enum Arrivals
{
    /// <summary>Source s posts at s/D of the interval: independent discussions, one message at a time.</summary>
    Staggered,
    /// <summary>Every source posts at the same instant, once per interval: the friendliest case for batching.</summary>
    Together,
}

/// <summary>The due times of one source's messages under an <see cref="Arrivals"/> pattern.</summary>
internal readonly record struct PostingSchedule(long Start, TimeSpan Interval, TimeSpan Duration)
{
    public static PostingSchedule For(Arrivals arrivals, int source, int sources, int rate, TimeSpan duration)
    {
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var offset = arrivals == Arrivals.Staggered ? interval * source / sources : TimeSpan.Zero;
        return new PostingSchedule(Stopwatch.GetTimestamp() + (long)(offset.TotalSeconds * Stopwatch.Frequency), interval, duration);
    }

    /// <summary>Waits until the n-th message is due; false once it would fall past the duration.</summary>
    public async Task<bool> WaitForAsync(int n)
    {
        var due = Start + (long)(n * Interval.TotalSeconds * Stopwatch.Frequency);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (Stopwatch.GetElapsedTime(Start) + wait > Duration)
        {
            return false;
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        return true;
    }

    public static Arrivals Parse(string text) => Enum.Parse<Arrivals>(text, ignoreCase: true);
}
