using System.Globalization;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using Google.Protobuf;
using IWouldArgue.Rpc.Protocol;
using IWouldArgue.Rpc.Server;

namespace IWouldArgue.Rpc;

/// <summary>
/// One call from the client side: the HTTP/2 request (a single framed message, or a stream the caller
/// writes), the response's messages, and the status from the trailers (or from the headers when the
/// server answered trailers-only). Deadlines and cancellation reset the HTTP/2 stream, which the server sees.
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IClientCall<TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly RpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CancellationTokenSource _callCts;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly TaskCompletionSource<Status> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<HttpResponseMessage> _response = null!;
    private Task<Metadata>? _headers;
    private FrameReader? _reader;
    private Metadata _trailers = new();

    private ClientCall(RpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        if (options.Deadline is { } deadline)
        {
            var remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            _deadlineCts = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, _deadlineCts.Token);
        }
        else
        {
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        }
    }

    /// <summary>Where the caller writes request messages; null for calls that send one request.</summary>
    public ClientStreamWriter<TRequest>? RequestStream { get; private set; }

    public static ClientCall<TRequest, TResponse> Start(RpcChannel channel, Method<TRequest, TResponse> method, CallOptions options, TRequest? request)
    {
        var call = new ClientCall<TRequest, TResponse>(channel, method, options);
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(channel.Address, method.FullName))
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (request is null)
        {
            var content = new PushStreamContent();
            call.RequestStream = new ClientStreamWriter<TRequest>(content, channel.Options.MaxSendMessageSize, call.FailWrite, call._callCts.Token);
            message.Content = content;
        }
        else
        {
            message.Content = new ByteArrayContent(MessageFraming.ToArray(request, channel.Options.MaxSendMessageSize));
        }
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.GrpcContentType);
        AddHeaders(message, options);
        call._response = call.SendAsync(message);
        return call;
    }

    /// <summary>The response headers, once they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync() => _headers ??= ReadHeadersAsync();

    /// <summary>The status, available once the call has finished.</summary>
    public Status GetStatus() => _finished.Task.IsCompletedSuccessfully
        ? _finished.Task.Result
        : throw new InvalidOperationException("The call has not finished yet.");

    /// <summary>The trailers, available once the call has finished.</summary>
    public Metadata GetTrailers() => _finished.Task.IsCompletedSuccessfully
        ? _trailers
        : throw new InvalidOperationException("The call has not finished yet.");

    /// <summary>Reads the next response message; null once the call ended with OK. Throws RpcException otherwise.</summary>
    public async Task<TResponse?> ReadNextAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _callCts.Token);
        try
        {
            var response = await _response;
            if (_finished.Task.IsCompleted)
            {
                return null;
            }
            _reader ??= new FrameReader(PipeReader.Create(await response.Content.ReadAsStreamAsync(linked.Token)), _channel.Options.MaxReceiveMessageSize);
            var message = await _reader.ReadMessageAsync(_method.ResponseParser, linked.Token);
            if (message is not null)
            {
                return message;
            }
            // The end of the stream: an error status surfaces from the read, as it does in other gRPC clients.
            var end = Finish(StatusFrom(response.TrailingHeaders), ResponseMetadata.From(response.TrailingHeaders));
            return end.StatusCode == StatusCode.OK ? null : throw end;
        }
        catch (RpcException ex)
        {
            Finish(ex.Status, ex.Trailers);
            throw;
        }
        catch (Exception ex)
        {
            throw Fail(ex, cancellationToken);
        }
    }

    /// <summary>Reads the one response of a unary or client-streaming call.</summary>
    public async Task<TResponse> ReadSingleAsync()
    {
        var message = await ReadNextAsync(CancellationToken.None)
            ?? throw Finish(new Status(StatusCode.Internal, "The server ended the call with OK but sent no response message."), new Metadata());
        return await ReadNextAsync(CancellationToken.None) is null
            ? message
            : throw Finish(new Status(StatusCode.Internal, "The server sent more than one response message."), new Metadata());
    }

    /// <summary>The status the call ended with, or an exception for a transport failure; used by writers when a write fails.</summary>
    internal Exception FailWrite(Exception ex) => _finished.Task.IsCompletedSuccessfully && _finished.Task.Result.Code != StatusCode.OK
        ? new RpcException(_finished.Task.Result, _trailers)
        : Fail(ex, CancellationToken.None);

    public void Dispose()
    {
        if (!_finished.Task.IsCompleted)
        {
            // Ending a call early resets its HTTP/2 stream, so the server stops working on it.
            Finish(new Status(StatusCode.Cancelled, "Call disposed before it finished."), new Metadata());
            _callCts.Cancel();
        }
        RequestStream?.Abandon();
        if (_response.IsCompletedSuccessfully)
        {
            _response.Result.Dispose();
        }
        _callCts.Dispose();
        _deadlineCts?.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            if (_deadlineCts?.IsCancellationRequested == true)
            {
                throw Finish(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), new Metadata());
            }
            HttpResponseMessage response;
            try
            {
                response = await _channel.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _callCts.Token);
            }
            catch (Exception ex) when (ex is not RpcException)
            {
                throw Fail(ex, CancellationToken.None);
            }
            CheckResponse(response);
            return response;
        }
    }

    private async Task<Metadata> ReadHeadersAsync() => ResponseMetadata.From((await _response).Headers);

    // A non-200 answer or a status in the headers ends the call before any message.
    private void CheckResponse(HttpResponseMessage response)
    {
        var headers = response.Headers;
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
        {
            var code = HttpStatusMapping.ToStatusCode(response.StatusCode);
            var detail = headers.TryGetValues(GrpcProtocol.MessageTrailer, out var m) ? PercentEncoding.Decode(m.First()) : $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}";
            response.Dispose();
            throw Finish(new Status(code, detail), new Metadata());
        }
        if (headers.Contains(GrpcProtocol.StatusTrailer))
        {
            var status = StatusFrom(headers);
            Finish(status, ResponseMetadata.From(headers));
            if (status.Code != StatusCode.OK)
            {
                response.Dispose();
                throw new RpcException(status, _trailers);
            }
            return;
        }
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (GrpcProtocol.FormatOf(contentType) != WireProtocol.Grpc)
        {
            response.Dispose();
            throw Finish(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}"), new Metadata());
        }
    }

    private RpcException Finish(Status status, Metadata trailers)
    {
        if (_finished.TrySetResult(status))
        {
            _trailers = trailers;
        }
        return new RpcException(_finished.Task.Result, _trailers);
    }

    private RpcException Fail(Exception ex, CancellationToken readToken)
    {
        if (ex is RpcException rpc)
        {
            return rpc;
        }
        var status = ex switch
        {
            _ when _deadlineCts?.IsCancellationRequested == true => new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"),
            _ when _callCts.IsCancellationRequested || readToken.IsCancellationRequested => new Status(StatusCode.Cancelled, "Call cancelled by the client."),
            HttpProtocolException protocol => new Status(HttpStatusMapping.FromHttp2Error(protocol.ErrorCode), protocol.Message),
            HttpRequestException => new Status(StatusCode.Unavailable, "Error connecting to the server: " + ex.Message),
            IOException => new Status(StatusCode.Unavailable, "The connection broke: " + ex.Message),
            _ => new Status(StatusCode.Internal, "Error reading the response: " + ex.Message),
        };
        return Finish(status, new Metadata());
    }

    private static Status StatusFrom(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusTrailer, out var codes)
            || !int.TryParse(codes.First(), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return new Status(StatusCode.Unknown, "No grpc-status found on the response.");
        }
        var detail = headers.TryGetValues(GrpcProtocol.MessageTrailer, out var messages) ? PercentEncoding.Decode(messages.First()) : "";
        return new Status((StatusCode)code, detail);
    }

    private static void AddHeaders(HttpRequestMessage message, CallOptions options)
    {
        var headers = message.Headers;
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.IdentityEncoding);
        headers.TryAddWithoutValidation("user-agent", "iwouldargue-rpc/1.0");
        if (options.Deadline is { } deadline)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(deadline.ToUniversalTime() - DateTime.UtcNow));
        }
        foreach (var entry in options.Headers ?? [])
        {
            headers.TryAddWithoutValidation(entry.Key, entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value);
        }
    }
}
