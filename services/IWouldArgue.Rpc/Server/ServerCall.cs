using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Google.Protobuf;
using IWouldArgue.Rpc.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Rpc.Server;

/// <summary>
/// One RPC on the server: reads framed requests, writes framed responses, and ends the call with a
/// status in HTTP/2 trailers (gRPC) or in a final trailers frame (gRPC-Web), or in the headers when
/// nothing else was sent (trailers-only). Writes and the deadline's completion are serialized by a lock.
/// </summary>
internal sealed class ServerCall : IAsyncDisposable
{
    private static readonly TimeSpan DeadlineTolerance = TimeSpan.FromMilliseconds(100);
    // Writes race only with the deadline's completion, so only calls with a deadline get a lock.
    private SemaphoreSlim? _writeLock;
    private CancellationTokenSource? _callCts;
    private readonly WireProtocol _format;
    private readonly RpcMessageLimits _limits;
    private readonly ILogger _logger;
    private readonly FrameReader _requests;
    private CancellationTokenSource? _deadlineCts;
    private CancellationTokenRegistration _deadlineRegistration;
    private Task _deadlineCompletion = Task.CompletedTask;
    private volatile bool _deadlineExpired;
    private bool _responseStarted;
    private bool _completed;
    // The response body once the headers are out, for the fast path of encoded frames (gRPC and binary gRPC-Web).
    private PipeWriter? _body;

    private ServerCall(HttpContext httpContext, WireProtocol format, RpcMessageLimits limits, ILogger logger)
    {
        HttpContext = httpContext;
        _format = format;
        _limits = limits;
        _logger = logger;
        var body = format == WireProtocol.GrpcWebText
            ? PipeReader.Create(new Base64TextReadStream(httpContext.Request.Body))
            : httpContext.Request.BodyReader;
        _requests = new FrameReader(body, limits.MaxReceiveMessageSize!.Value);
        Context = null!;
    }

    public HttpContext HttpContext { get; }

    private bool CallAborted => Context.CancellationToken.IsCancellationRequested;

    public ServerCallContext Context { get; private set; }

    /// <summary>Checks the request against the protocol; answers it and returns null when it is not a call we can serve.</summary>
    public static async Task<ServerCall?> TryStartAsync(HttpContext httpContext, string method, MethodType type, RpcMessageLimits limits, ILogger logger)
    {
        var request = httpContext.Request;
        if (GrpcProtocol.FormatOf(request.ContentType) is not { } format)
        {
            await RejectAsync(httpContext, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported.");
            return null;
        }
        if (format == WireProtocol.Grpc && !HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            await RejectAsync(httpContext, StatusCodes.Status426UpgradeRequired, $"gRPC needs HTTP/2; {request.Protocol} carries only gRPC-Web.");
            return null;
        }
        var call = new ServerCall(httpContext, format, limits, logger);
        if (type is MethodType.ClientStreaming or MethodType.DuplexStreaming)
        {
            // Request streams may idle and run long; Kestrel's body rate and size limits are for uploads, not streams.
            httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>()?.MinDataRate = null;
            if (httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = null;
            }
        }
        var encoding = request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && encoding != GrpcProtocol.IdentityEncoding)
        {
            call.Context = new ServerCallContext(call, method, DateTime.MaxValue, httpContext.RequestAborted);
            call.Context.ResponseTrailers.Add(Metadata.Entry.Unchecked(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.IdentityEncoding));
            await call.CompleteAsync(new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: identity"));
            return null;
        }
        if (GrpcTimeout.Parse(request.Headers[GrpcProtocol.TimeoutHeader]) is not { } timeout)
        {
            // Without a deadline the call ends only when the caller goes away: RequestAborted says so.
            call.Context = new ServerCallContext(call, method, DateTime.MaxValue, httpContext.RequestAborted);
            return call;
        }
        call._callCts = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        call.Context = new ServerCallContext(call, method, DateTime.UtcNow + timeout, call._callCts.Token);
        call._writeLock = new SemaphoreSlim(1, 1);
        call._deadlineCts = new CancellationTokenSource(timeout);
        call._deadlineRegistration = call._deadlineCts.Token.Register(static state => ((ServerCall)state!).OnDeadline(), call);
        return call;
    }

    /// <summary>Runs the method's body on the service instance, then ends the call with the status its outcome calls for.</summary>
    public async Task RunAsync(Func<ServerCall, object, Task> body, Func<HttpContext, object> activate)
    {
        try
        {
            await body(this, activate(HttpContext));
            await CompleteAsync(Status.Ok);
        }
        catch (RpcException ex)
        {
            await CompleteAsync(ex.Status, ex.Trailers);
        }
        catch (Exception) when (CallAborted)
        {
            // The deadline passed or the caller went away; either way the handler stopped because we asked it to.
            // A client resets the stream at its own deadline, which is our deadline less the network latency,
            // so a reset that lands just before our timer fires is a deadline expiry too.
            if (_deadlineExpired || DateTime.UtcNow + DeadlineTolerance >= Context.Deadline)
            {
                if (!_deadlineExpired)
                {
                    ServerLog.DeadlineExceeded(_logger, Context.Method);
                }
                await CompleteAsync(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
            }
            else
            {
                await CompleteAsync(new Status(StatusCode.Cancelled, "Call cancelled by the client."));
            }
        }
        catch (Exception ex)
        {
            ServerLog.HandlerFailed(_logger, Context.Method, ex);
            await CompleteAsync(new Status(StatusCode.Internal, "Exception was thrown by handler."));
        }
    }

    public ValueTask<T?> ReadMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : Context.CancellationToken;
        return _requests.ReadMessageAsync(parser, token);
    }

    /// <summary>Reads the one request message of a unary or server-streaming call.</summary>
    public async Task<T> ReadSingleMessageAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var message = await ReadMessageAsync(parser)
            ?? throw new RpcException(StatusCode.Internal, "The request ended without a message.");
        return await ReadMessageAsync(parser) is null
            ? message
            : throw new RpcException(StatusCode.Internal, "The request has more than one message for a method that takes one.");
    }

    /// <summary>
    /// Sends one message. Streamed messages are flushed so the peer sees each one now; the single response
    /// of a unary call is not, so that it leaves together with the trailers.
    /// </summary>
    public Task WriteMessageAsync(IMessage message, bool flush, CancellationToken cancellationToken = default) =>
        WriteFrameAsync(message, null, flush, cancellationToken);

    /// <summary>Sends one message encoded earlier (its frame as it goes on the wire), and flushes it.</summary>
    public Task WriteEncodedAsync(byte[] frame, CancellationToken cancellationToken = default)
    {
        // The fan-out's path, taken for every delivery to every watcher: once the headers are out, with no lock to
        // take (no deadline) and the frame going as it is, the copy and its flush usually complete at once, and
        // then nothing needs an async state machine.
        if (_body is not { } writer || _writeLock is not null || _completed || frame.Length - MessageFraming.HeaderSize > _limits.MaxSendMessageSize!.Value)
        {
            return WriteFrameAsync(null, frame, flush: true, cancellationToken);
        }
        ValueTask<FlushResult> flush;
        try
        {
            // Write and flush in one call: a server whose writer takes the bytes as they are saves a copy.
            flush = writer.WriteAsync(frame, Context.CancellationToken);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
        if (!flush.IsCompletedSuccessfully)
        {
            return AfterFlushAsync(flush);
        }
        return flush.Result.IsCompleted ? Task.FromException(NotReading()) : Task.CompletedTask;
    }

    /// <summary>
    /// The response body for <see cref="DirectMessageWriter{T}"/>: once the headers are prepared, for wire formats
    /// that carry frames as they are, and only without a deadline (its expiry completes the call from a timer,
    /// which must not race a write nobody serializes).
    /// </summary>
    public bool TryGetDirectBody(out PipeWriter? body, out int maxMessageSize)
    {
        body = _writeLock is null && !_completed ? _body : null;
        maxMessageSize = _limits.MaxSendMessageSize!.Value;
        return body is not null;
    }

    private static async Task AfterFlushAsync(ValueTask<FlushResult> flush)
    {
        if ((await flush).IsCompleted)
        {
            throw NotReading();
        }
    }

    private static RpcException NotReading() => new(StatusCode.Cancelled, "The caller is no longer reading the response.");

    private async Task WriteFrameAsync(IMessage? message, byte[]? encoded, bool flush, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken);
        try
        {
            if (_completed)
            {
                throw new InvalidOperationException("The call is complete; no more messages can be written.");
            }
            var maxSize = _limits.MaxSendMessageSize!.Value;
            if (encoded is not null && encoded.Length - MessageFraming.HeaderSize > maxSize)
            {
                throw new RpcException(
                    StatusCode.ResourceExhausted,
                    $"Sending message exceeds the maximum configured message size ({encoded.Length - MessageFraming.HeaderSize} > {maxSize}).");
            }
            StartHeaders();
            var writer = HttpContext.Response.BodyWriter;
            if (_format == WireProtocol.GrpcWebText)
            {
                WriteBase64(writer, encoded ?? MessageFraming.ToArray(message!, maxSize));
            }
            else if (encoded is not null)
            {
                writer.Write(encoded);
            }
            else
            {
                MessageFraming.WriteMessage(writer, message!, maxSize);
            }
            if (flush && (await writer.FlushAsync(Context.CancellationToken)).IsCompleted)
            {
                throw NotReading();
            }
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Sends the response headers now (ServerCallContext.WriteResponseHeadersAsync).</summary>
    public async Task StartResponseAsync()
    {
        await EnterAsync(Context.CancellationToken);
        try
        {
            if (!_responseStarted && !_completed)
            {
                StartHeaders();
                await HttpContext.Response.BodyWriter.FlushAsync(Context.CancellationToken);
            }
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Ends the call with a status. The first completion wins; later ones do nothing.</summary>
    public async Task CompleteAsync(Status status, Metadata? trailers = null)
    {
        await EnterAsync(CancellationToken.None);
        try
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
            if (HttpContext.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            var response = HttpContext.Response;
            var allTrailers = trailers is { Count: > 0 } ? Context.ResponseTrailersToSend.Concat(trailers) : Context.ResponseTrailersToSend;
            if (!_responseStarted)
            {
                // Trailers-only: the status travels in the response headers and there is no body. Headers and
                // trailers become one block, so an entry set in both is sent once.
                SetCommonHeaders(response, _format);
                var block = Context.ResponseHeadersToSend.Concat(allTrailers).DistinctBy(e => (e.Key, e.Value));
                SetStatusHeaders(response.Headers, status, block);
            }
            else if (_format == WireProtocol.Grpc)
            {
                response.AppendTrailer(GrpcProtocol.StatusTrailer, StatusText(status.Code));
                if (status.Detail.Length > 0)
                {
                    response.AppendTrailer(GrpcProtocol.MessageTrailer, PercentEncoding.Encode(status.Detail));
                }
                foreach (var entry in allTrailers)
                {
                    response.AppendTrailer(entry.Key, HeaderValue(entry));
                }
            }
            else
            {
                WriteWebTrailersFrame(response.BodyWriter, status, allTrailers);
            }
            // Nothing more to do: Kestrel ends the response, trailers and all, when the request delegate returns.
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            ServerLog.StatusNotDelivered(_logger, Context.Method, status.Code, ex);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Disposing the registration waits for a running deadline callback, so the completion it started is seen here.
        await _deadlineRegistration.DisposeAsync();
        await _deadlineCompletion;
        _deadlineCts?.Dispose();
        _callCts?.Dispose();
        _writeLock?.Dispose();
    }

    /// <summary>Answers a request that is not a gRPC call we can serve, with an HTTP status and a gRPC status in headers.</summary>
    public static Task RejectAsync(HttpContext httpContext, int httpStatus, string message)
    {
        var response = httpContext.Response;
        response.StatusCode = httpStatus;
        response.Headers[GrpcProtocol.StatusTrailer] = StatusText(StatusCode.Internal);
        response.Headers[GrpcProtocol.MessageTrailer] = PercentEncoding.Encode(message);
        return response.CompleteAsync();
    }

    /// <summary>Answers a well-formed call with a status and no messages (trailers-only).</summary>
    public static Task RespondWithStatusAsync(HttpContext httpContext, WireProtocol format, Status status, IEnumerable<Metadata.Entry>? trailers = null)
    {
        SetCommonHeaders(httpContext.Response, format);
        SetStatusHeaders(httpContext.Response.Headers, status, trailers ?? []);
        return httpContext.Response.CompleteAsync();
    }

    private Task EnterAsync(CancellationToken cancellationToken) => _writeLock?.WaitAsync(cancellationToken) ?? Task.CompletedTask;

    private void OnDeadline()
    {
        _deadlineExpired = true;
        _deadlineCompletion = CompleteOnDeadlineAsync();
    }

    private async Task CompleteOnDeadlineAsync()
    {
        // Cancel first: a handler blocked in a write releases the lock, then the status goes out at once.
        await _callCts!.CancelAsync();
        ServerLog.DeadlineExceeded(_logger, Context.Method);
        await CompleteAsync(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
        // The handler may run on; end the response now so the caller gets its status at the deadline.
        // Writers check the completed flag first, so none of ours touches the response after this.
        await HttpContext.Response.CompleteAsync();
    }

    private void StartHeaders()
    {
        if (_responseStarted)
        {
            return;
        }
        _responseStarted = true;
        var response = HttpContext.Response;
        SetCommonHeaders(response, _format);
        foreach (var entry in Context.ResponseHeadersToSend)
        {
            response.Headers.Append(entry.Key, HeaderValue(entry));
        }
        if (_format != WireProtocol.GrpcWebText)
        {
            _body = response.BodyWriter;
        }
    }

    private static void SetCommonHeaders(HttpResponse response, WireProtocol format)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = format switch
        {
            WireProtocol.Grpc => GrpcProtocol.GrpcContentType,
            WireProtocol.GrpcWeb => GrpcProtocol.GrpcWebContentType + "+proto",
            _ => GrpcProtocol.GrpcWebTextContentType + "+proto",
        };
    }

    private static void SetStatusHeaders(IHeaderDictionary headers, Status status, IEnumerable<Metadata.Entry> trailers)
    {
        headers[GrpcProtocol.StatusTrailer] = StatusText(status.Code);
        if (status.Detail.Length > 0)
        {
            headers[GrpcProtocol.MessageTrailer] = PercentEncoding.Encode(status.Detail);
        }
        foreach (var entry in trailers)
        {
            headers.Append(entry.Key, HeaderValue(entry));
        }
    }

    private void WriteWebTrailersFrame(PipeWriter writer, Status status, IEnumerable<Metadata.Entry> trailers)
    {
        var text = new StringBuilder();
        text.Append(GrpcProtocol.StatusTrailer).Append(':').Append(StatusText(status.Code)).Append("\r\n");
        if (status.Detail.Length > 0)
        {
            text.Append(GrpcProtocol.MessageTrailer).Append(':').Append(PercentEncoding.Encode(status.Detail)).Append("\r\n");
        }
        foreach (var entry in trailers)
        {
            text.Append(entry.Key).Append(':').Append(HeaderValue(entry)).Append("\r\n");
        }
        var payload = Encoding.ASCII.GetBytes(text.ToString());
        var frame = new byte[MessageFraming.HeaderSize + payload.Length];
        MessageFraming.WriteHeader(frame, MessageFraming.TrailersFlag, payload.Length);
        payload.CopyTo(frame, MessageFraming.HeaderSize);
        if (_format == WireProtocol.GrpcWebText)
        {
            WriteBase64(writer, frame);
        }
        else
        {
            writer.Write(frame);
        }
    }

    // Each frame is encoded on its own, padded; gRPC-Web text clients decode group by group.
    private static void WriteBase64(PipeWriter writer, ReadOnlySpan<byte> bytes)
    {
        var span = writer.GetSpan(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
        Base64.EncodeToUtf8(bytes, span, out _, out var written);
        writer.Advance(written);
    }

    private static string StatusText(StatusCode code) => ((int)code).ToString(CultureInfo.InvariantCulture);

    private static string HeaderValue(Metadata.Entry entry) =>
        entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;
}
