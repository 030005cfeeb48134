using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace IWouldArgue.Testing;

/// <summary>
/// A real nats-server (Debian's, installed by the test command) with JetStream on a scratch folder, on a free loopback
/// port; stopped by its process. It can be stopped and started again on the same port and folder: a broker restart.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "iwouldargue-nats", Guid.NewGuid().ToString("N"));
    private Process? _server;

    private NatsServer()
    {
    }

    /// <summary>Its port on 127.0.0.1.</summary>
    public int Port { get; } = LoopbackPorts.Free();

    /// <summary>Its address for clients.</summary>
    public Uri Url => new($"nats://127.0.0.1:{Port}");

    /// <summary>Starts a server, ready for clients when this returns.</summary>
    public static async Task<NatsServer> StartAsync()
    {
        var server = new NatsServer();
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server again (after <see cref="StopAsync"/>), with what it had stored.</summary>
    public async Task RestartAsync()
    {
        Directory.CreateDirectory(_folder);
        _server = Process.Start(new ProcessStartInfo("nats-server", ["-js", "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-sd", _folder])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("nats-server did not start (the test command installs it).");
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Kills the server, as a crash would.</summary>
    public async Task StopAsync()
    {
        if (_server is { HasExited: false } server)
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
        _server?.Dispose();
        _server = null;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
