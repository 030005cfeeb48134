using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Http2;

/// <summary>
/// One request/response exchange on a connection. The read loop feeds it the request (headers, body); the
/// application writes the response through <see cref="ResponseBody"/>, whose bytes the connection frames as DATA
/// within the flow-control windows, together with every other stream's, into one send buffer.
/// </summary>
internal sealed partial class Http2Stream : IDisposable
{
    private readonly Http2Connection _connection;
    private readonly Pipe _requestPipe = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    // The request pipe's writer is the read loop's, but an abort may come from any thread.
    private readonly Lock _requestLock = new();
    private readonly CancellationTokenSource _aborted = new();
    private int _abortedFlag;

    public Http2Stream(Http2Connection connection, int id, RequestHead head, bool requestEnded)
    {
        _connection = connection;
        Id = id;
        Head = head;
        RequestEnded = requestEnded;
        _receiveWindow = connection.Limits.StreamWindowSize;
        SendWindow = connection.PeerInitialWindowSize;
        RequestBody = new RequestBodyReader(this, _requestPipe.Reader);
        ResponseBody = new ResponseBodyWriter(this);
        Features = CreateFeatures();
        if (requestEnded)
        {
            _requestPipe.Writer.Complete();
        }
    }

    public int Id { get; }

    public RequestHead Head { get; }

    public Http2Connection Connection => _connection;

    public RequestBodyReader RequestBody { get; }

    public ResponseBodyWriter ResponseBody { get; }

    /// <summary>The peer has sent END_STREAM (read loop only).</summary>
    public bool RequestEnded { get; private set; }

    private int _receiveWindow;

    /// <summary>What the peer may still send on this stream before we credit it.</summary>
    public int ReceiveWindow => Volatile.Read(ref _receiveWindow);

    /// <summary>A DATA frame arrived (read loop): false when it overran the window.</summary>
    public bool TakeReceiveWindow(int bytes) => Interlocked.Add(ref _receiveWindow, -bytes) >= 0;

    /// <summary>We credited the peer (a WINDOW_UPDATE went out).</summary>
    public void AddReceiveWindow(int bytes) => Interlocked.Add(ref _receiveWindow, bytes);

    // Send-side state, under the connection's output lock.
    public long SendWindow { get; set; }

    public bool Blocked { get; set; }

    public bool EndStreamSent { get; set; }

    public bool IsAborted => Volatile.Read(ref _abortedFlag) != 0;

    public CancellationToken Aborted => _aborted.Token;

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public IHeaderDictionary ResponseHeaders { get; } = new HeaderDictionary();

    public IHeaderDictionary ResponseTrailers { get; set; } = new HeaderDictionary();

    /// <summary>Request body bytes from a DATA frame (read loop).</summary>
    public void OnData(ReadOnlySpan<byte> data, bool endStream)
    {
        lock (_requestLock)
        {
            if (!data.IsEmpty && !IsAborted)
            {
                _requestPipe.Writer.Write(data);
                // Never pauses (no threshold): the stream's window is what bounds the bytes buffered here.
                var flush = _requestPipe.Writer.FlushAsync();
                if (flush.IsCompleted)
                {
                    flush.GetAwaiter().GetResult();
                }
            }
        }
        if (endStream)
        {
            EndRequest();
        }
    }

    /// <summary>The peer finished the request (END_STREAM on DATA or on trailers).</summary>
    public void EndRequest()
    {
        RequestEnded = true;
        lock (_requestLock)
        {
            if (!IsAborted)
            {
                _requestPipe.Writer.Complete();
            }
        }
    }

    /// <summary>
    /// The stream ends without a proper close: the peer reset it, the connection went away, or the application
    /// aborted it. Whatever waits on the stream is released; the application sees RequestAborted.
    /// </summary>
    public void Abort(Exception reason)
    {
        lock (_requestLock)
        {
            if (Interlocked.Exchange(ref _abortedFlag, 1) != 0)
            {
                return;
            }
            _requestPipe.Writer.Complete(reason);
        }
        _connection.OnStreamAborted(this);
        // Cancellation callbacks (the application's) must not run on the read loop.
        ThreadPool.UnsafeQueueUserWorkItem(static cts =>
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The exchange was over and released before the abort ran: nobody is left to tell.
            }
        }, _aborted, preferLocal: false);
    }

    /// <summary>Runs after the application is done and the response ended.</summary>
    public void Release()
    {
        _requestPipe.Reader.Complete();
        ResponseBody.Release();
        Dispose();
    }

    public void Dispose() => _aborted.Dispose();
}

/// <summary>The request line and headers of a stream, as decoded from its header block.</summary>
internal sealed record RequestHead(string Method, string Scheme, string Authority, string Path, string QueryString, HeaderDictionary Headers);
