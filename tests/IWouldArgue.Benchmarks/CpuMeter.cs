using System.Globalization;

namespace IWouldArgue.Benchmarks;

/// <summary>CPU time a process used (user + system, from /proc/PID/stat), to turn throughput into throughput per core.</summary>
internal sealed class CpuMeter(int pid)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private double _start;
    private DateTime _startedAt;

    public void Start()
    {
        _start = Read();
        _startedAt = DateTime.UtcNow;
    }

    /// <summary>Cores used on average since <see cref="Start"/> (1.0 = one core busy all the time).</summary>
    public double CoresUsed() => (Read() - _start) / (DateTime.UtcNow - _startedAt).TotalSeconds;

    private double Read()
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command name: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
