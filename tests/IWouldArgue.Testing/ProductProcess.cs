using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace IWouldArgue.Testing;

/// <summary>
/// One of the product's hosts started from its own build output with <c>dotnet</c>, as an operator starts it: its own
/// process, settings given as environment variables, gRPC and web ports on loopback, its output in a log file. It can
/// be killed as a crash would (SIGKILL, nothing flushed) and started again with the same ports and settings.
/// </summary>
public sealed class ProductProcess : IAsyncDisposable
{
    private readonly string _dll;
    private Process? _process;
    private string? _cgroup;

    /// <param name="name">What the logs and failures call it (e.g. "live-2").</param>
    /// <param name="project">The host project's folder from the repository root, e.g. "services/IWouldArgue.Live.Host".</param>
    /// <param name="settings">Configuration keys (":" separated) and values.</param>
    /// <param name="logFolder">Where its output goes, as <c>{name}.log</c> (appended across restarts).</param>
    public ProductProcess(string name, string project, IDictionary<string, string> settings, string logFolder)
    {
        Name = name;
        _dll = BuildOutput(project);
        Settings = settings;
        LogPath = Path.Combine(logFolder, name + ".log");
    }

    /// <summary>What the logs and failures call it.</summary>
    public string Name { get; }

    /// <summary>Its settings (configuration keys, ":" separated), read at each start.</summary>
    public IDictionary<string, string> Settings { get; }

    /// <summary>Its gRPC (HTTP/2 cleartext) port.</summary>
    public int GrpcPort { get; } = LoopbackPorts.Free();

    /// <summary>Its HTTP/1.1 port.</summary>
    public int WebPort { get; } = LoopbackPorts.Free();

    /// <summary>Its gRPC address.</summary>
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    /// <summary>Its HTTP/1.1 address.</summary>
    public Uri WebAddress => new($"http://127.0.0.1:{WebPort}");

    /// <summary>Its output so far.</summary>
    public string LogPath { get; }

    /// <summary>Its process id while it runs.</summary>
    public int? Pid => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>Whether its process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The build output of a host project in the configuration these tests were built in.</summary>
    public static string BuildOutput(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(NodeProcess.RepoRoot, project, "bin", configuration, "net10.0", Path.GetFileName(project) + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} first (no {dll}).", dll);
    }

    /// <summary>Starts it and waits until its gRPC port answers a health check (any status), at most <paramref name="timeout"/>.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }
        // exec: the process killed is the host itself, not a shell around it.
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"exec dotnet \"{_dll}\" >>\"{LogPath}\" 2>&1"])
        {
            WorkingDirectory = Path.GetDirectoryName(LogPath)!,
        };
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = GrpcAddress.ToString().TrimEnd('/');
        start.Environment["Kestrel__Endpoints__Web__Url"] = WebAddress.ToString().TrimEnd('/');
        foreach (var (key, value) in Settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        await File.AppendAllTextAsync(LogPath, $"--- {Name} started {DateTime.UtcNow:O}{Environment.NewLine}");
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start.");

        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var health = new Health.HealthClient(channel);
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}:{Environment.NewLine}{Tail()}");
            }
            try
            {
                await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
            catch (RpcException e)
            {
                throw new TimeoutException($"{Name} did not answer within {timeout} ({e.Status.Detail}):{Environment.NewLine}{Tail()}");
            }
        }
    }

    /// <summary>Kills it with SIGKILL, as a crash or an OOM kill would: no shutdown, nothing flushed.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
        if (Interlocked.Exchange(ref _cgroup, null) is { } cgroup)
        {
            try
            {
                Directory.Delete(cgroup); // a cgroup with no process left goes with rmdir
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Still draining: the kernel keeps an empty group; nothing else depends on it.
            }
        }
    }

    /// <summary>
    /// Caps the running process at <paramref name="cores"/> of CPU time (a cgroup's CFS quota: v1's cpu controller, or
    /// v2's cpu.max), so instances compared get the same share of the machine. Needs root; false when not possible.
    /// </summary>
    public bool LimitCpu(double cores)
    {
        if (Pid is not { } pid)
        {
            return false;
        }
        // A 20 ms period (not the default 100 ms): a capped process is paused for at most 20 ms at a time, so row locks
        // it holds when paused do not stall every other instance for a tenth of a second. (The kernel takes quotas from
        // 1 ms: caps from 0.05 cores.)
        const int Period = 20_000;
        var quota = ((int)(cores * Period)).ToString(CultureInfo.InvariantCulture);
        var group = $"iwouldargue-{Name}-{pid.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            if (Directory.Exists("/sys/fs/cgroup/cpu") && File.Exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))
            {
                var folder = Directory.CreateDirectory(Path.Combine("/sys/fs/cgroup/cpu", group)).FullName;
                File.WriteAllText(Path.Combine(folder, "cpu.cfs_period_us"), Period.ToString(CultureInfo.InvariantCulture));
                File.WriteAllText(Path.Combine(folder, "cpu.cfs_quota_us"), quota);
                File.WriteAllText(Path.Combine(folder, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
                _cgroup = folder;
                return true;
            }
            if (File.Exists("/sys/fs/cgroup/cgroup.controllers") && File.ReadAllText("/sys/fs/cgroup/cgroup.controllers").Contains("cpu", StringComparison.Ordinal))
            {
                var folder = Directory.CreateDirectory(Path.Combine("/sys/fs/cgroup", group)).FullName;
                File.WriteAllText(Path.Combine(folder, "cpu.max"), $"{quota} {Period}");
                File.WriteAllText(Path.Combine(folder, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
                _cgroup = folder;
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        return false;
    }

    /// <summary>The last lines of its log, each cut at 300 characters (stack traces come on one line).</summary>
    public string Tail(int lines = 40) =>
        File.Exists(LogPath) ? string.Join(Environment.NewLine, File.ReadLines(LogPath).TakeLast(lines).Select(l => l.Length > 300 ? l[..300] + " ..." : l)) : "(no log)";

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await KillAsync();
}
