using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Hosting;

/// <summary>
/// Ends an HTTP/2 connection whose header block goes on in more CONTINUATION frames than any request needs (the
/// "CONTINUATION flood": a HEADERS frame without END_HEADERS, then empty CONTINUATIONs without end). Kestrel checks
/// a block's size, which empty frames never grow, and nothing else; so this connection middleware reads the frame
/// headers going to Kestrel (9 bytes a frame, payloads skipped unread) and aborts the connection past the limit.
/// Written here because neither Kestrel nor a served package bounds it. Connections that do not open with the
/// HTTP/2 preface (HTTP/1.1, TLS) pass untouched.
/// </summary>
internal sealed partial class ContinuationGuard(ILogger<ContinuationGuard> logger)
{
    /// <summary>
    /// CONTINUATION frames allowed in one header block: the gateway's 32 KiB of request headers need at most two
    /// at the smallest frame size (16 KiB); nghttp2 allows 8.
    /// </summary>
    public const int MaxContinuations = 8;

    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new GuardedTransport(transport, new FrameWatch(() =>
        {
            LogFlood(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString() ?? "");
            connection.Abort(new ConnectionAbortedException("Too many CONTINUATION frames in one header block."));
        }));
        return next(connection);
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} from {Remote} closed: a header block went on past 8 CONTINUATION frames")]
    private static partial void LogFlood(ILogger logger, string connectionId, string remote);

    private sealed class GuardedTransport(IDuplexPipe inner, FrameWatch watch) : IDuplexPipe
    {
        public PipeReader Input { get; } = new WatchedReader(inner.Input, watch);

        public PipeWriter Output => inner.Output;
    }

    /// <summary>Follows the frame boundaries of the bytes it is shown, once each.</summary>
    private sealed class FrameWatch(Action flood)
    {
        private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
        private readonly byte[] _header = new byte[9];
        private int _prefaceSeen;
        private bool _off;
        private int _headerFilled;
        private long _payloadLeft;
        private bool _inBlock;
        private int _continuations;

        public void Scan(ReadOnlySequence<byte> fresh)
        {
            foreach (var memory in fresh)
            {
                var span = memory.Span;
                while (!_off && span.Length > 0)
                {
                    if (_prefaceSeen < Preface.Length)
                    {
                        var n = Math.Min(span.Length, Preface.Length - _prefaceSeen);
                        _off = !span[..n].SequenceEqual(Preface.AsSpan(_prefaceSeen, n));
                        _prefaceSeen += n;
                        span = span[n..];
                    }
                    else if (_payloadLeft > 0)
                    {
                        var n = (int)Math.Min(span.Length, _payloadLeft);
                        _payloadLeft -= n;
                        span = span[n..];
                    }
                    else
                    {
                        var n = Math.Min(span.Length, 9 - _headerFilled);
                        span[..n].CopyTo(_header.AsSpan(_headerFilled));
                        _headerFilled += n;
                        span = span[n..];
                        if (_headerFilled == 9)
                        {
                            _headerFilled = 0;
                            OnFrame();
                        }
                    }
                }
            }
        }

        private void OnFrame()
        {
            _payloadLeft = (_header[0] << 16) | (_header[1] << 8) | _header[2];
            var (type, endHeaders) = (_header[3], (_header[4] & 0x4) != 0);
            if (type == 0x1)
            {
                _inBlock = !endHeaders;
                _continuations = 0;
            }
            else if (type == 0x9 && _inBlock)
            {
                _inBlock = !endHeaders;
                if (++_continuations > MaxContinuations)
                {
                    _off = true;
                    flood();
                }
            }
        }
    }

    /// <summary>Shows the watch each byte Kestrel is given the first time it is given it.</summary>
    private sealed class WatchedReader(PipeReader inner, FrameWatch watch) : PipeReader
    {
        private ReadOnlySequence<byte> _last;
        private long _consumed;
        private long _scanned;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => Seen(await inner.ReadAsync(cancellationToken));

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }
            result = Seen(result);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            _consumed += _last.Slice(0, consumed).Length;
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        private ReadResult Seen(ReadResult result)
        {
            _last = result.Buffer;
            var end = _consumed + result.Buffer.Length;
            if (end > _scanned)
            {
                watch.Scan(result.Buffer.Slice(_scanned - _consumed));
                _scanned = end;
            }
            return result;
        }
    }
}
