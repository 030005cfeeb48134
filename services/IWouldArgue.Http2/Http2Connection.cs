using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using IWouldArgue.Http2.Hpack;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Http2;

/// <summary>
/// One HTTP/2 connection (RFC 9113) with prior knowledge: the read loop parses frames, decodes header blocks,
/// keeps the receive windows and hands each request to the application on the thread pool.
/// </summary>
internal sealed partial class Http2Connection : IDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private readonly Func<Http2Stream, Task> _run;
    private readonly ILogger _logger;
    private readonly SendScheduler _sends;
    private readonly HpackDecoder _decoder;
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private readonly ByteBuffer _pendingBlock = new(1024);
    private readonly byte[] _frameCopy = new byte[Frames.DefaultMaxFrameSize];
    private readonly Queue<long> _resets = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lastStreamId;
    private int _blockStreamId;
    private bool _blockEndsStream;
    private long _receiveWindow;
    private long _receivedSinceUpdate;
    private const int AssumedStreamLimit = 100;
    private bool _goingAway;
    private bool _settingsAcknowledged;
    private int _closed;
    private long _lastFrameAt = Environment.TickCount64;

    public Http2Connection(Socket socket, string id, Http2Limits limits, Func<Http2Stream, Task> run, SendScheduler sends, ILogger logger)
    {
        _socket = socket;
        _input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false), new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        // Sends are non-blocking (a full socket hands over to an asynchronous send); the stream above was made
        // first, as NetworkStream takes only blocking sockets, and reads asynchronously either way.
        socket.Blocking = false;
        _sends = sends;
        Id = id;
        Limits = limits;
        _run = run;
        _logger = logger;
        _decoder = new HpackDecoder(4096, limits.MaxHeaderListSize);
        Remote = socket.RemoteEndPoint as IPEndPoint;
        Local = socket.LocalEndPoint as IPEndPoint;
    }

    public string Id { get; }

    public Http2Limits Limits { get; }

    public IPEndPoint? Remote { get; }

    public IPEndPoint? Local { get; }

    // The connection's receive window is large and credited as frames arrive; each stream's window is what
    // bounds buffering, and is credited as the application reads.
    private static int ConnectionReceiveWindow => 16 * 1024 * 1024;

    /// <summary>Serves the connection until the peer leaves, a protocol error closes it, or the server stops.</summary>
    public async Task RunAsync()
    {
        Exception? reason = null;
        try
        {
            await HandshakeAsync();
            await ReadFramesAsync();
        }
        catch (Http2ConnectionException ex)
        {
            Http2Log.ConnectionError(_logger, Id, ex.Code, ex.Message);
            GoAway(ex.Code);
            // The GOAWAY should reach the peer before the socket closes; a peer that reads nothing gets a second.
            await FlushedAsync().WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(static _ => { }, TaskScheduler.Default);
            reason = ex;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Http2Log.ConnectionClosed(_logger, Id, ex.Message);
            reason = ex;
        }
        Close(reason ?? new IOException("The peer closed the connection."));
        Dispose();
    }

    public void Dispose()
    {
        _pendingBlock.Dispose();
        lock (_outLock)
        {
            _disposed = true;
            if (!_sending)
            {
                DisposeOutput();
            }
        }
    }

    /// <summary>Closes the connection (GOAWAY first) if it has no open stream and the peer sent nothing for the idle timeout.</summary>
    public async Task CloseIfIdleAsync()
    {
        lock (_streams)
        {
            if (_streams.Count > 0 || Environment.TickCount64 - Volatile.Read(ref _lastFrameAt) < (long)Limits.IdleTimeout.TotalMilliseconds)
            {
                return;
            }
            _goingAway = true;
        }
        Http2Log.ConnectionClosed(_logger, Id, "idle");
        GoAway(Http2ErrorCode.NoError);
        await FlushedAsync().WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(static _ => { }, TaskScheduler.Default);
        Close(new IOException("The connection was idle."));
    }

    /// <summary>Stops taking new streams (GOAWAY) and lets the open ones finish.</summary>
    public Task ShutdownAsync()
    {
        _goingAway = true;
        GoAway(Http2ErrorCode.NoError);
        lock (_streams)
        {
            if (_streams.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
        return _drained.Task;
    }

    /// <summary>Closes the socket; every open stream is aborted.</summary>
    public void Close(Exception reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        lock (_outLock)
        {
            _outputClosed = true;
        }
        Http2Stream[] open;
        lock (_streams)
        {
            open = [.. _streams.Values];
        }
        foreach (var stream in open)
        {
            stream.Abort(reason);
        }
        _drained.TrySetResult();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone.
        }
        _socket.Dispose();
    }

    private async Task HandshakeAsync()
    {
        using var timeout = new CancellationTokenSource(Limits.HandshakeTimeout);
        var preface = Frames.ClientPreface.Length;
        while (true)
        {
            var result = await _input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            if (buffer.Length >= preface)
            {
                if (!buffer.Slice(0, preface).ToArray().AsSpan().SequenceEqual(Frames.ClientPreface))
                {
                    throw new IOException("The peer did not open with the HTTP/2 connection preface.");
                }
                _input.AdvanceTo(buffer.GetPosition(preface));
                break;
            }
            if (result.IsCompleted)
            {
                throw new IOException("The peer closed the connection during the preface.");
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
        _receiveWindow = ConnectionReceiveWindow;
        WriteControl(output =>
        {
            Span<byte> settings = stackalloc byte[24];
            WriteSetting(settings, Frames.SettingsMaxConcurrentStreams, (uint)Limits.MaxStreamsPerConnection);
            WriteSetting(settings[6..], Frames.SettingsInitialWindowSize, (uint)Limits.StreamWindowSize);
            WriteSetting(settings[12..], Frames.SettingsMaxHeaderListSize, (uint)Limits.MaxHeaderListSize);
            WriteSetting(settings[18..], Frames.SettingsEnablePush, 0);
            Frames.Write(output, FrameType.Settings, 0, 0, settings);
            Frames.WriteWindowUpdate(output, 0, ConnectionReceiveWindow - Frames.DefaultWindowSize);
        });
    }

    private static void WriteSetting(Span<byte> destination, ushort id, uint value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], value);
    }

    private async Task ReadFramesAsync()
    {
        var first = true;
        while (true)
        {
            var result = await _input.ReadAsync();
            var buffer = result.Buffer;
            while (TryReadFrame(ref buffer, out var type, out var flags, out var streamId, out var payload))
            {
                if (first && type != FrameType.Settings)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "The first frame was not SETTINGS.");
                }
                first = false;
                OnFrame(type, flags, streamId, payload);
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out FrameType type, out byte flags, out int streamId, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        type = default;
        flags = 0;
        streamId = 0;
        if (buffer.Length < Frames.HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[Frames.HeaderSize];
        buffer.Slice(0, Frames.HeaderSize).CopyTo(header);
        (var length, type, flags, streamId) = Frames.ReadHeader(header);
        if (length > Frames.DefaultMaxFrameSize)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"A frame of {length} bytes exceeds SETTINGS_MAX_FRAME_SIZE.");
        }
        if (buffer.Length < Frames.HeaderSize + length)
        {
            return false;
        }
        var body = buffer.Slice(Frames.HeaderSize, length);
        if (body.IsSingleSegment)
        {
            payload = body.FirstSpan;
        }
        else
        {
            body.CopyTo(_frameCopy);
            payload = _frameCopy.AsSpan(0, length);
        }
        buffer = buffer.Slice(Frames.HeaderSize + length);
        return true;
    }
}
