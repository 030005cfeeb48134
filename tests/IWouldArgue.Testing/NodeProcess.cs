using System.Collections.Concurrent;
using System.Diagnostics;

namespace IWouldArgue.Testing;

/// <summary>
/// A Node.js script from tests/interop run as a child process (the independent implementations:
/// @grpc/grpc-js, buf, protobuf-ts in Chromium). Its node_modules are installed by the test command.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private NodeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _errors.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>The repository's root folder (where IWouldArgue.sln is).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string InteropDirectory { get; } = Path.Combine(RepoRoot, "tests", "interop");

    public static NodeProcess StartScript(string file, params string[] args) => Start("node", new List<string>([file, .. args]));

    public static NodeProcess Start(string program, IEnumerable<string> args)
    {
        // A relative program path (node_modules/.bin/buf) is relative to tests/interop, like the scripts.
        var info = new ProcessStartInfo(program.Contains('/', StringComparison.Ordinal) ? Path.Combine(InteropDirectory, program) : program)
        {
            WorkingDirectory = InteropDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (!Directory.Exists(Path.Combine(InteropDirectory, "node_modules")))
        {
            throw new InvalidOperationException("tests/interop/node_modules is missing: run the test command from README.md, which installs it.");
        }
        return new NodeProcess(Process.Start(info)!);
    }

    /// <summary>Runs a script to its end and returns what it printed; fails the test if it does not end in time.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Output, string Errors)> RunAsync(TimeSpan timeout, string program, params string[] args)
    {
        using var node = Start(program, args.ToList());
        using var cts = new CancellationTokenSource(timeout);
        await node._process.WaitForExitAsync(cts.Token);
        node._process.WaitForExit();
        return (node._process.ExitCode, node._lines.ToList(), string.Join('\n', node._errors));
    }

    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }
            if (_process.HasExited)
            {
                break;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"No line starting '{prefix}'. Output: {string.Join('\n', _lines)} Errors: {string.Join('\n', _errors)}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IWouldArgue.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("IWouldArgue.sln not found above the test binaries.");
    }
}
