using System.Buffers;
using System.IO.Pipelines;

namespace IWouldArgue.Http2;

/// <summary>
/// The application's reader of a request body. What it has examined is credited back to the peer
/// (WINDOW_UPDATE) once half a window has been read: a reader waiting for a whole message larger than the window
/// examines all it has without consuming it, and must be sent more. So a peer has at most a window's worth
/// buffered beyond what the application looked at; message size limits bound the rest.
/// </summary>
internal sealed class RequestBodyReader(Http2Stream stream, PipeReader inner) : PipeReader
{
    private ReadOnlySequence<byte> _lastRead;
    private long _consumed;
    private long _examined;
    private int _uncredited;

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var examinedNow = _consumed + _lastRead.Slice(_lastRead.Start, examined).Length;
        _consumed += _lastRead.Slice(_lastRead.Start, consumed).Length;
        _lastRead = default;
        inner.AdvanceTo(consumed, examined);
        if (examinedNow > _examined)
        {
            var bytes = (int)(examinedNow - _examined);
            _examined = examinedNow;
            Credit(bytes);
        }
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken);
        _lastRead = result.Buffer;
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }
        _lastRead = result.Buffer;
        return true;
    }

    /// <summary>Counts bytes the peer may send again, and credits them once there are enough to be worth a frame.</summary>
    public void Credit(int bytes)
    {
        if (bytes <= 0)
        {
            return;
        }
        var total = Interlocked.Add(ref _uncredited, bytes);
        if (total < stream.Connection.Limits.StreamWindowSize / 2 || stream.RequestEnded || stream.IsAborted)
        {
            return;
        }
        var credit = Interlocked.Exchange(ref _uncredited, 0);
        if (credit > 0)
        {
            stream.Connection.CreditStream(stream, credit);
        }
    }
}
