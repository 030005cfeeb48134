using IWouldArgue.Rpc.Server;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Rpc;

/// <summary>What a service method knows about the call it serves.</summary>
public sealed class ServerCallContext
{
    private readonly ServerCall _call;
    private Metadata? _requestHeaders;
    private Metadata? _responseHeaders;
    private Metadata? _responseTrailers;

    internal ServerCallContext(ServerCall call, string method, DateTime deadline, CancellationToken cancellationToken)
    {
        _call = call;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The request path, "/{service}/{method}".</summary>
    public string Method { get; }

    /// <summary>The caller's metadata, read from the request headers on first use.</summary>
    public Metadata RequestHeaders => _requestHeaders ??= RequestMetadata.From(_call.HttpContext.Request.Headers);

    /// <summary>When the caller stops waiting, in UTC; <see cref="DateTime.MaxValue"/> without a deadline.</summary>
    public DateTime Deadline { get; }

    /// <summary>Cancelled when the caller cancels, disconnects or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Metadata sent with the first response message (or with the status when there is none).</summary>
    public Metadata ResponseHeaders => _responseHeaders ??= new Metadata();

    /// <summary>Metadata sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    /// <summary>The underlying HTTP request, for the caller's address or authentication.</summary>
    public HttpContext HttpContext => _call.HttpContext;

    // What the runtime sends, without creating empty collections on the hot path.
    internal IEnumerable<Metadata.Entry> ResponseHeadersToSend => _responseHeaders ?? Enumerable.Empty<Metadata.Entry>();

    internal IEnumerable<Metadata.Entry> ResponseTrailersToSend => _responseTrailers ?? Enumerable.Empty<Metadata.Entry>();

    /// <summary>Sends the response headers now, before any message.</summary>
    public Task WriteResponseHeadersAsync() => _call.StartResponseAsync();
}
