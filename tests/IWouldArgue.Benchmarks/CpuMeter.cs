using System.Globalization;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// CPU time processes used (user + system, from /proc/PID/stat), summed, to turn throughput into throughput per core:
/// several when the server under test is a tier of processes (a gateway and the Live instance behind it).
/// </summary>
internal sealed class CpuMeter(params int[] pids)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private double _start;
    private double[] _starts = [];
    private DateTime _startedAt;

    public void Start()
    {
        _starts = [.. pids.Select(Read)];
        _start = _starts.Sum();
        _startedAt = DateTime.UtcNow;
    }

    /// <summary>Cores used on average since <see cref="Start"/> (1.0 = one core busy all the time).</summary>
    public double CoresUsed() => (Read() - _start) / (DateTime.UtcNow - _startedAt).TotalSeconds;

    /// <summary>Each process's share since <see cref="Start"/>, in the order given: "0.52/0.11/0.20/0.05".</summary>
    public string CoresEach()
    {
        var seconds = (DateTime.UtcNow - _startedAt).TotalSeconds;
        return string.Join('/', pids.Select((pid, i) => ((Read(pid) - _starts[i]) / seconds).ToString("F2", CultureInfo.InvariantCulture)));
    }

    private double Read() => pids.Sum(Read);

    private static double Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command name: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
