using System.IO.Pipelines;
using System.Net.Sockets;
using IWouldArgue.Http2.Hpack;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Http2;

/// <summary>
/// The send side. Every frame of every stream is appended, under one lock, to one buffer that a single send loop
/// writes to the socket; while a send is in flight the next one collects, so a broadcast to all of a
/// connection's streams leaves in one or a few socket writes. Flow control (RFC 9113, 5.2 and 6.9) holds back
/// body bytes beyond the peer's windows in the stream until a WINDOW_UPDATE makes room.
/// </summary>
internal sealed partial class Http2Connection
{
    private readonly Lock _outLock = new();
    private readonly List<Http2Stream> _blocked = [];
    private readonly List<Http2Stream> _waiting = [];
    private readonly ByteBuffer _headerBlock = new(1024);
    private ByteBuffer _out = new(64 * 1024);
    private ByteBuffer _sendingBuffer = new(64 * 1024);
    private bool _sending;
    private bool _outputClosed;
    private bool _disposed;
    private TaskCompletionSource? _flushed;
    private long _sendWindow = Frames.DefaultWindowSize;
    private int _peerMaxFrameSize = Frames.DefaultMaxFrameSize;

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE of the peer: each new stream's send window.</summary>
    public int PeerInitialWindowSize { get; private set; } = Frames.DefaultWindowSize;

    /// <summary>Takes what the application wrote and sends what the windows allow; waits when the peer does not keep up.</summary>
    public ValueTask<FlushResult> WriteResponse(Http2Stream stream, ByteBuffer? unflushed, CancellationToken cancellationToken)
    {
        var result = WriteResponse(stream, unflushed is null ? [] : unflushed.WrittenSpan, cancellationToken);
        unflushed?.Clear();
        return result;
    }

    /// <summary>As above, for bytes the application hands over in one piece (PipeWriter.WriteAsync): no copy on its side.</summary>
    public ValueTask<FlushResult> WriteResponse(Http2Stream stream, ReadOnlySpan<byte> data, CancellationToken cancellationToken)
    {
        lock (_outLock)
        {
            if (_outputClosed || stream.IsAborted || stream.EndRequested)
            {
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
            }
            StartResponse(stream, endStream: false);
            Take(stream, data);
            Drain(stream);
            ScheduleSend();
            if (stream.PendingLength == 0 && _out.Length < Limits.MaxBufferedResponseBytes)
            {
                return new ValueTask<FlushResult>(default(FlushResult));
            }
            if (stream.FlushWaiter is null)
            {
                stream.FlushWaiter = new TaskCompletionSource<FlushResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add(stream);
                if (cancellationToken.CanBeCanceled)
                {
                    stream.FlushCancellation = cancellationToken.UnsafeRegister(static s => ((Http2Stream)s!).Connection.CancelFlush((Http2Stream)s!), stream);
                }
            }
            return new ValueTask<FlushResult>(stream.FlushWaiter.Task);
        }
    }

    /// <summary>Ends a response: headers if none went yet, the rest of the body, then trailers or an empty END_STREAM.</summary>
    public Task EndResponse(Http2Stream stream, ByteBuffer? unflushed)
    {
        lock (_outLock)
        {
            if (_outputClosed || stream.IsAborted || stream.EndStreamSent)
            {
                return Task.CompletedTask;
            }
            stream.EndRequested = true;
            var bodyless = stream.PendingLength == 0 && (unflushed is null || unflushed.Length == 0);
            if (!stream.HasStarted && bodyless && stream.ResponseTrailers.Count == 0)
            {
                // No body and no trailers: the headers end the stream (gRPC's trailers-only response).
                StartResponse(stream, endStream: true);
                OnEndStreamSent(stream);
            }
            else
            {
                StartResponse(stream, endStream: false);
                Take(stream, unflushed is null ? [] : unflushed.WrittenSpan);
                unflushed?.Clear();
                Drain(stream);
            }
            ScheduleSend();
            if (stream.EndStreamSent)
            {
                return Task.CompletedTask;
            }
            stream.EndWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return stream.EndWaiter.Task;
        }
    }

    public void CancelFlush(Http2Stream stream)
    {
        lock (_outLock)
        {
            _waiting.Remove(stream);
            stream.CompleteFlush(new FlushResult(isCanceled: true, isCompleted: false));
        }
    }

    private void StartResponse(Http2Stream stream, bool endStream)
    {
        if (stream.HasStarted)
        {
            return;
        }
        stream.HasStarted = true;
        _headerBlock.Clear();
        HpackEncoder.WriteStatus(_headerBlock, stream.StatusCode);
        WriteFields(stream.ResponseHeaders);
        WriteHeaderFrames(stream.Id, endStream);
    }

    private void WriteFields(IHeaderDictionary headers)
    {
        foreach (var (name, values) in headers)
        {
            if (Frames.ConnectionSpecificHeaders.Contains(name))
            {
                continue;
            }
            var lower = name.ToLowerInvariant();
            foreach (var value in values)
            {
                HpackEncoder.WriteField(_headerBlock, lower, value ?? "");
            }
        }
    }

    // A header block larger than a frame continues in CONTINUATION frames, with nothing between them.
    private void WriteHeaderFrames(int streamId, bool endStream)
    {
        var block = _headerBlock.WrittenSpan;
        var type = FrameType.Headers;
        var flags = endStream ? Frames.EndStream : (byte)0;
        do
        {
            var size = Math.Min(block.Length, _peerMaxFrameSize);
            var last = size == block.Length;
            Frames.Write(_out, type, (byte)(flags | (last ? Frames.EndHeaders : 0)), streamId, block[..size]);
            block = block[size..];
            type = FrameType.Continuation;
            flags = 0;
        }
        while (!block.IsEmpty);
    }

    // What the application wrote is framed straight from its buffer when none of the stream's body waits for
    // window (the fan-out's usual case); what does not fit waits in the stream's pending buffer.
    private void Take(Http2Stream stream, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && stream.PendingLength == 0)
        {
            var size = (int)Math.Min(Math.Min(stream.SendWindow, _sendWindow), Math.Min(_peerMaxFrameSize, data.Length));
            if (size <= 0)
            {
                break;
            }
            Frames.Write(_out, FrameType.Data, 0, stream.Id, data[..size]);
            stream.SendWindow -= size;
            _sendWindow -= size;
            data = data[size..];
        }
        if (!data.IsEmpty)
        {
            if (stream.Pending is { } pending && stream.PendingStart > 0 && stream.PendingStart >= pending.Length / 2)
            {
                // Keep a stream that is always a little behind from growing its buffer forever.
                pending.Consume(stream.PendingStart);
                stream.PendingStart = 0;
            }
            (stream.Pending ??= new ByteBuffer(Math.Max(256, data.Length))).Write(data);
        }
    }

    /// <summary>Frames as much of a stream's pending body as the windows allow; ends the stream once it is all out.</summary>
    private void Drain(Http2Stream stream)
    {
        while (stream.PendingLength > 0)
        {
            var size = (int)Math.Min(Math.Min(stream.SendWindow, _sendWindow), Math.Min(_peerMaxFrameSize, stream.PendingLength));
            if (size <= 0)
            {
                if (!stream.Blocked)
                {
                    stream.Blocked = true;
                    _blocked.Add(stream);
                }
                return;
            }
            Frames.Write(_out, FrameType.Data, 0, stream.Id, stream.Pending!.WrittenSpan.Slice(stream.PendingStart, size));
            stream.PendingStart += size;
            stream.SendWindow -= size;
            _sendWindow -= size;
        }
        if (stream.EndRequested && !stream.EndStreamSent)
        {
            if (stream.ResponseTrailers.Count > 0)
            {
                _headerBlock.Clear();
                WriteFields(stream.ResponseTrailers);
                WriteHeaderFrames(stream.Id, endStream: true);
            }
            else
            {
                Frames.Write(_out, FrameType.Data, Frames.EndStream, stream.Id, []);
            }
            OnEndStreamSent(stream);
        }
    }

    private void OnEndStreamSent(Http2Stream stream)
    {
        stream.EndStreamSent = true;
        stream.EndWaiter?.TrySetResult();
        _waiting.Remove(stream);
        stream.CompleteFlush(new FlushResult(isCanceled: false, isCompleted: true));
        if (!stream.RequestEnded)
        {
            // The response is complete while the request is not: the peer may stop sending (RFC 9113, 8.1).
            Frames.WriteRstStream(_out, stream.Id, Http2ErrorCode.NoError);
        }
        OnStreamClosed(stream);
    }

    /// <summary>A stream ended without a proper close: nothing of it is sent any more and its waiters are let go.</summary>
    public void OnStreamAborted(Http2Stream stream)
    {
        lock (_outLock)
        {
            _blocked.Remove(stream);
            _waiting.Remove(stream);
            stream.CompleteFlush(new FlushResult(isCanceled: false, isCompleted: true));
            stream.EndWaiter?.TrySetResult();
            if (!stream.EndStreamSent)
            {
                stream.EndStreamSent = true;
                OnStreamClosed(stream);
            }
        }
    }

    /// <summary>Resets a stream (RST_STREAM with this code) and aborts it.</summary>
    public void ResetStream(Http2Stream stream, Http2ErrorCode code)
    {
        lock (_outLock)
        {
            if (!_outputClosed && !stream.EndStreamSent)
            {
                Frames.WriteRstStream(_out, stream.Id, code);
                ScheduleSend();
            }
        }
        stream.Abort(new IOException($"The stream was reset ({code})."));
    }

    /// <summary>Window opened (WINDOW_UPDATE or SETTINGS): blocked streams go on; waiting writers are let go.</summary>
    private void DrainBlocked()
    {
        for (var i = 0; i < _blocked.Count && _sendWindow > 0; i++)
        {
            var stream = _blocked[i];
            if (stream.IsAborted || stream.SendWindow <= 0)
            {
                continue;
            }
            stream.Blocked = false;
            _blocked.RemoveAt(i--);
            Drain(stream);
        }
        ReleaseWaiters();
        ScheduleSend();
    }

    private void ReleaseWaiters()
    {
        if (_out.Length >= Limits.MaxBufferedResponseBytes)
        {
            return;
        }
        for (var i = _waiting.Count - 1; i >= 0; i--)
        {
            var stream = _waiting[i];
            if (stream.PendingLength > 0 && !stream.IsAborted)
            {
                continue;
            }
            _waiting.RemoveAt(i);
            stream.CompleteFlush(new FlushResult(isCanceled: false, isCompleted: stream.IsAborted));
        }
    }

    /// <summary>Appends a control frame (SETTINGS ack, PING ack, WINDOW_UPDATE, RST_STREAM, GOAWAY) and sends it.</summary>
    private void WriteControl(Action<ByteBuffer> write)
    {
        lock (_outLock)
        {
            if (_outputClosed)
            {
                return;
            }
            write(_out);
            ScheduleSend();
        }
    }

    // Under the output lock, once nothing sends any more.
    private void DisposeOutput()
    {
        _out.Dispose();
        _sendingBuffer.Dispose();
        _headerBlock.Dispose();
    }

    private void ScheduleSend()
    {
        if (_sending || _out.Length == 0 || _outputClosed)
        {
            return;
        }
        _sending = true;
        _sends.Schedule(this);
    }

    /// <summary>
    /// Writes what the buffer holds with non-blocking sends, again while more arrives; if the socket is full,
    /// the rest goes with an asynchronous send. Runs on the send scheduler, one connection after another.
    /// </summary>
    public void SendPending()
    {
        while (TakeOutput() is { } sending)
        {
            var remaining = sending.Written;
            while (!remaining.IsEmpty)
            {
                int sent;
                SocketError error;
                try
                {
                    sent = _socket.Send(remaining.Span, SocketFlags.None, out error);
                }
                catch (ObjectDisposedException ex)
                {
                    OnSendFailed(ex);
                    return;
                }
                if (error == SocketError.WouldBlock)
                {
                    _ = SendRestAsync(sending, remaining);
                    return;
                }
                if (error != SocketError.Success)
                {
                    OnSendFailed(new SocketException((int)error));
                    return;
                }
                remaining = remaining[sent..];
            }
            OnSent(sending);
        }
    }

    private async Task SendRestAsync(ByteBuffer sending, ReadOnlyMemory<byte> remaining)
    {
        try
        {
            while (!remaining.IsEmpty)
            {
                var sent = await _socket.SendAsync(remaining, SocketFlags.None);
                remaining = remaining[sent..];
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            OnSendFailed(ex);
            return;
        }
        OnSent(sending);
        SendPending();
    }

    /// <summary>Completes once everything written so far has gone to the socket.</summary>
    private Task FlushedAsync()
    {
        lock (_outLock)
        {
            if (!_sending || _outputClosed)
            {
                return Task.CompletedTask;
            }
            _flushed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _flushed.Task;
        }
    }

    // The buffer to send next (swapped out under the lock), or null when there is nothing: sending stops.
    private ByteBuffer? TakeOutput()
    {
        lock (_outLock)
        {
            if (_out.Length == 0 || _outputClosed)
            {
                _flushed?.TrySetResult();
                _flushed = null;
                _sending = false;
                if (_disposed)
                {
                    DisposeOutput();
                }
                return null;
            }
            (_out, _sendingBuffer) = (_sendingBuffer, _out);
            return _sendingBuffer;
        }
    }

    private void OnSent(ByteBuffer sending)
    {
        lock (_outLock)
        {
            sending.Clear();
            ReleaseWaiters();
        }
    }

    private void OnSendFailed(Exception reason)
    {
        lock (_outLock)
        {
            _sending = false;
            if (_disposed)
            {
                DisposeOutput();
            }
        }
        Close(reason);
    }
}
