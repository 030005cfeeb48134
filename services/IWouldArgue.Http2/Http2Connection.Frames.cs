using System.Buffers.Binary;
using IWouldArgue.Http2.Hpack;

namespace IWouldArgue.Http2;

/// <summary>Frame handling on the read loop, per RFC 9113, section 6.</summary>
internal sealed partial class Http2Connection
{
    private void OnFrame(FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        _lastFrameAt = Environment.TickCount64;
        if (_blockStreamId != 0 && (type != FrameType.Continuation || streamId != _blockStreamId))
        {
            throw Protocol("A header block was interrupted by another frame.");
        }
        switch (type)
        {
            case FrameType.Data:
                OnData(flags, streamId, payload);
                break;
            case FrameType.Headers:
                OnHeaders(flags, streamId, payload);
                break;
            case FrameType.Continuation:
                if (_blockStreamId == 0)
                {
                    throw Protocol("CONTINUATION without a header block in progress.");
                }
                AppendBlock(payload, (flags & Frames.EndHeaders) != 0);
                break;
            case FrameType.Priority:
                RequireStream(streamId, "PRIORITY");
                if (payload.Length != 5)
                {
                    ResetIdOnly(streamId, Http2ErrorCode.FrameSizeError);
                }
                break;
            case FrameType.RstStream:
                OnRstStream(streamId, payload);
                break;
            case FrameType.Settings:
                OnSettings(flags, streamId, payload);
                break;
            case FrameType.PushPromise:
                throw Protocol("A client cannot push.");
            case FrameType.Ping:
                OnPing(flags, streamId, payload);
                break;
            case FrameType.GoAway:
                if (streamId != 0)
                {
                    throw Protocol("GOAWAY on a stream.");
                }
                _goingAway = true;
                break;
            case FrameType.WindowUpdate:
                OnWindowUpdate(streamId, payload);
                break;
            default:
                // Unknown frame types are ignored (RFC 9113, 4.1).
                break;
        }
    }

    private void OnData(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        RequireStream(streamId, "DATA");
        var frameLength = payload.Length;
        var data = Unpad(flags, payload);
        _receiveWindow -= frameLength;
        if (_receiveWindow < 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "DATA beyond the connection's window.");
        }
        CreditConnection(frameLength);
        var stream = Find(streamId);
        if (stream is null || stream.RequestEnded)
        {
            if (streamId > _lastStreamId)
            {
                throw Protocol("DATA on an idle stream.");
            }
            ResetIdOnly(streamId, Http2ErrorCode.StreamClosed);
            return;
        }
        if (!stream.TakeReceiveWindow(frameLength))
        {
            ResetStream(stream, Http2ErrorCode.FlowControlError);
            return;
        }
        // Padding is not the application's to read: credit it back at once.
        stream.RequestBody.Credit(frameLength - data.Length);
        stream.OnData(data, (flags & Frames.EndStream) != 0);
    }

    private void OnHeaders(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId == 0 || (streamId & 1) == 0)
        {
            throw Protocol("HEADERS on stream 0 or on a server-initiated stream id.");
        }
        var fragment = Unpad(flags, payload);
        if ((flags & Frames.PriorityFlag) != 0)
        {
            if (fragment.Length < 5)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "HEADERS too short for its priority fields.");
            }
            fragment = fragment[5..];
        }
        if (Find(streamId) is null && streamId <= _lastStreamId)
        {
            throw new Http2ConnectionException(Http2ErrorCode.StreamClosed, "HEADERS on a closed stream.");
        }
        _blockStreamId = streamId;
        _blockEndsStream = (flags & Frames.EndStream) != 0;
        _pendingBlock.Clear();
        AppendBlock(fragment, (flags & Frames.EndHeaders) != 0);
    }

    private void AppendBlock(ReadOnlySpan<byte> fragment, bool endHeaders)
    {
        // A block may not grow without bound across CONTINUATION frames (a known flood).
        if (_pendingBlock.Length + fragment.Length > 2 * Limits.MaxHeaderListSize)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, "A header block is too large.");
        }
        _pendingBlock.Write(fragment);
        if (!endHeaders)
        {
            return;
        }
        var streamId = _blockStreamId;
        _blockStreamId = 0;
        OnHeaderBlock(streamId, _blockEndsStream);
    }

    private void OnRstStream(int streamId, ReadOnlySpan<byte> payload)
    {
        RequireStream(streamId, "RST_STREAM");
        if (payload.Length != 4)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "RST_STREAM must be 4 bytes.");
        }
        if (streamId > _lastStreamId)
        {
            throw Protocol("RST_STREAM on an idle stream.");
        }
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);
        if (Find(streamId) is { } stream)
        {
            CountReset();
            stream.Abort(new IOException($"The peer reset the stream ({code})."));
        }
    }

    private void OnSettings(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId != 0)
        {
            throw Protocol("SETTINGS on a stream.");
        }
        if ((flags & Frames.Ack) != 0)
        {
            if (payload.Length != 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "A SETTINGS ack with a payload.");
            }
            _settingsAcknowledged = true;
            return;
        }
        if (payload.Length % 6 != 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "SETTINGS not a multiple of 6 bytes.");
        }
        RefuseFloods();
        lock (_outLock)
        {
            for (var at = 0; at < payload.Length; at += 6)
            {
                ApplySetting(BinaryPrimitives.ReadUInt16BigEndian(payload[at..]), BinaryPrimitives.ReadUInt32BigEndian(payload[(at + 2)..]));
            }
            if (!_outputClosed)
            {
                Frames.Write(_out, FrameType.Settings, Frames.Ack, 0, []);
            }
            DrainBlocked();
        }
    }

    // Under the output lock: the window and frame size settings change how the send side frames.
    private void ApplySetting(ushort id, uint value)
    {
        switch (id)
        {
            case Frames.SettingsEnablePush when value > 1:
                throw Protocol("SETTINGS_ENABLE_PUSH must be 0 or 1.");
            case Frames.SettingsInitialWindowSize:
                if (value > Frames.MaxWindowSize)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1.");
                }
                var delta = (int)value - PeerInitialWindowSize;
                PeerInitialWindowSize = (int)value;
                lock (_streams)
                {
                    foreach (var stream in _streams.Values)
                    {
                        stream.SendWindow += delta;
                        if (stream.SendWindow > Frames.MaxWindowSize)
                        {
                            throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "A stream window above 2^31-1.");
                        }
                    }
                }
                break;
            case Frames.SettingsMaxFrameSize:
                if (value is < Frames.DefaultMaxFrameSize or > Frames.MaxAllowedFrameSize)
                {
                    throw Protocol("SETTINGS_MAX_FRAME_SIZE out of range.");
                }
                _peerMaxFrameSize = (int)value;
                break;
            default:
                // Header table size: our encoder uses no dynamic table. Others: nothing to change.
                break;
        }
    }

    private void OnPing(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId != 0)
        {
            throw Protocol("PING on a stream.");
        }
        if (payload.Length != 8)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "PING must be 8 bytes.");
        }
        if ((flags & Frames.Ack) == 0)
        {
            RefuseFloods();
            var opaque = BinaryPrimitives.ReadUInt64BigEndian(payload);
            WriteControl(output =>
            {
                Span<byte> echo = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(echo, opaque);
                Frames.Write(output, FrameType.Ping, Frames.Ack, 0, echo);
            });
        }
    }

    private void OnWindowUpdate(int streamId, ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 4)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "WINDOW_UPDATE must be 4 bytes.");
        }
        var increment = BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue;
        if (streamId == 0)
        {
            if (increment == 0)
            {
                throw Protocol("A connection WINDOW_UPDATE of 0.");
            }
            lock (_outLock)
            {
                _sendWindow += increment;
                if (_sendWindow > Frames.MaxWindowSize)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "The connection window above 2^31-1.");
                }
                DrainBlocked();
            }
            return;
        }
        if (streamId > _lastStreamId)
        {
            throw Protocol("WINDOW_UPDATE on an idle stream.");
        }
        if (Find(streamId) is not { } stream)
        {
            return;
        }
        if (increment == 0)
        {
            ResetStream(stream, Http2ErrorCode.ProtocolError);
            return;
        }
        lock (_outLock)
        {
            stream.SendWindow += increment;
            if (stream.SendWindow > Frames.MaxWindowSize)
            {
                Frames.WriteRstStream(_out, streamId, Http2ErrorCode.FlowControlError);
                ScheduleSend();
            }
            else if (stream.Blocked && _sendWindow > 0)
            {
                DrainBlocked();
            }
        }
        if (stream.SendWindow > Frames.MaxWindowSize)
        {
            stream.Abort(new IOException("The peer overflowed the stream's window."));
        }
    }

    /// <summary>The application read request body bytes: the stream's window opens by as much, in batches.</summary>
    public void CreditStream(Http2Stream stream, int bytes)
    {
        WriteControl(output => Frames.WriteWindowUpdate(output, stream.Id, bytes));
        stream.AddReceiveWindow(bytes);
    }

    private void CreditConnection(int bytes)
    {
        _receivedSinceUpdate += bytes;
        if (_receivedSinceUpdate < ConnectionReceiveWindow / 2)
        {
            return;
        }
        var credit = (int)_receivedSinceUpdate;
        _receivedSinceUpdate = 0;
        _receiveWindow += credit;
        WriteControl(output => Frames.WriteWindowUpdate(output, 0, credit));
    }

    // PING and SETTINGS oblige an answer; a peer that sends them without reading the answers would grow our
    // send buffer without bound.
    private void RefuseFloods()
    {
        lock (_outLock)
        {
            if (_out.Length > 2 * Limits.MaxBufferedResponseBytes)
            {
                throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, "The peer asks for answers it does not read.");
            }
        }
    }

    private void CountReset()
    {
        var now = Environment.TickCount64;
        _resets.Enqueue(now);
        while (_resets.Count > 0 && now - _resets.Peek() > 10_000)
        {
            _resets.Dequeue();
        }
        if (_resets.Count > Limits.MaxResetsPer10Seconds)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, "Too many streams reset by the peer.");
        }
    }

    private void ResetIdOnly(int streamId, Http2ErrorCode code) => WriteControl(output => Frames.WriteRstStream(output, streamId, code));

    private void GoAway(Http2ErrorCode code) => WriteControl(output => Frames.WriteGoAway(output, _lastStreamId, code));

    private Http2Stream? Find(int streamId)
    {
        lock (_streams)
        {
            return _streams.GetValueOrDefault(streamId);
        }
    }

    private static ReadOnlySpan<byte> Unpad(byte flags, ReadOnlySpan<byte> payload)
    {
        if ((flags & Frames.Padded) == 0)
        {
            return payload;
        }
        if (payload.IsEmpty || payload[0] >= payload.Length)
        {
            throw Protocol("Padding longer than the frame.");
        }
        return payload[1..^payload[0]];
    }

    private static void RequireStream(int streamId, string frame)
    {
        if (streamId == 0)
        {
            throw Protocol($"{frame} on stream 0.");
        }
    }

    private static Http2ConnectionException Protocol(string message) => new(Http2ErrorCode.ProtocolError, message);
}
