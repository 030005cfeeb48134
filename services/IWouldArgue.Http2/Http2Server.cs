using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Http2;

/// <summary>
/// The host's server: Kestrel for its own endpoints, and beside it, on the <see cref="Http2ServerOptions.Urls"/>,
/// this HTTP/2 server, both running the same application. Where no URL is configured it is Kestrel alone.
/// </summary>
internal sealed class Http2Server(IServer kestrel, IOptions<Http2ServerOptions> options, ILoggerFactory loggers) : IServer
{
    private readonly ILogger _logger = loggers.CreateLogger("IWouldArgue.Http2");
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly HashSet<Http2Connection> _connections = [];
    private readonly SendScheduler _sends = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _idleChecks = Task.CompletedTask;
    private long _nextConnectionId;

    public IFeatureCollection Features => kestrel.Features;

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        await kestrel.StartAsync(application, cancellationToken);
        var run = StreamRunner.For(application, _logger);
        foreach (var url in options.Value.Urls)
        {
            var listener = Listen(url);
            _listeners.Add(listener);
            var bound = $"http://{listener.LocalEndPoint}";
            Http2Log.Listening(_logger, bound);
            _acceptLoops.Add(AcceptAsync(listener, run));
        }
        if (_listeners.Count > 0)
        {
            _idleChecks = CloseIdleConnectionsAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _idleChecks;
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
        await Task.WhenAll(_acceptLoops);
        Http2Connection[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }
        // GOAWAY to everyone; streams may finish until the host's shutdown timeout, then the rest are cut.
        var drained = Task.WhenAll(open.Select(c => c.ShutdownAsync()));
        await Task.WhenAny(drained, Task.Delay(Timeout.Infinite, cancellationToken));
        foreach (var connection in open)
        {
            connection.Close(new IOException("The server is stopping."));
        }
        await kestrel.StopAsync(cancellationToken);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
        kestrel.Dispose();
    }

    private static Socket Listen(string url)
    {
        var uri = new Uri(url);
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"Http2Server:Urls takes http:// URLs only (cleartext HTTP/2); '{url}' is not one.");
        }
        var address = uri.Host is "localhost" ? IPAddress.Loopback : uri.Host is "*" or "+" or "0.0.0.0" ? IPAddress.Any : IPAddress.Parse(uri.Host);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(address, uri.Port));
        socket.Listen(1024);
        return socket;
    }

    private async Task AcceptAsync(Socket listener, Func<Http2Stream, Task> run)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            socket.NoDelay = true;
            var id = $"h2-{Interlocked.Increment(ref _nextConnectionId):X}";
            var connection = new Http2Connection(socket, id, options.Value.Limits, run, _sends, _logger);
            lock (_connections)
            {
                _connections.Add(connection);
            }
            _ = RunAsync(connection);
        }
    }

    private async Task CloseIdleConnectionsAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(options.Value.Limits.IdleTimeout.TotalSeconds / 4, 0.05, 5)));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                Http2Connection[] open;
                lock (_connections)
                {
                    open = [.. _connections];
                }
                await Task.WhenAll(open.Select(c => c.CloseIfIdleAsync()));
            }
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }
    }

    private async Task RunAsync(Http2Connection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync();
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(connection);
            }
        }
    }
}
