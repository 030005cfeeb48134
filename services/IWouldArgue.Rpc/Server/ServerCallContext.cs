using IWouldArgue.Rpc.Server;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Rpc;

/// <summary>What a service method knows about the call it serves.</summary>
public sealed class ServerCallContext
{
    private readonly ServerCall _call;

    internal ServerCallContext(ServerCall call, string method, Metadata requestHeaders, DateTime deadline, CancellationToken cancellationToken)
    {
        _call = call;
        Method = method;
        RequestHeaders = requestHeaders;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The request path, "/{service}/{method}".</summary>
    public string Method { get; }

    /// <summary>The caller's metadata.</summary>
    public Metadata RequestHeaders { get; }

    /// <summary>When the caller stops waiting, in UTC; <see cref="DateTime.MaxValue"/> without a deadline.</summary>
    public DateTime Deadline { get; }

    /// <summary>Cancelled when the caller cancels, disconnects or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Metadata sent with the first response message (or with the status when there is none).</summary>
    public Metadata ResponseHeaders { get; } = new();

    /// <summary>Metadata sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers { get; } = new();

    /// <summary>The underlying HTTP request, for the caller's address or authentication.</summary>
    public HttpContext HttpContext => _call.HttpContext;

    /// <summary>Sends the response headers now, before any message.</summary>
    public Task WriteResponseHeadersAsync() => _call.StartResponseAsync();
}
