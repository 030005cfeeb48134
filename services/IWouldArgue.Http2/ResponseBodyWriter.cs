using System.IO.Pipelines;

namespace IWouldArgue.Http2;

/// <summary>
/// The application's writer for a response body: bytes collect here until a flush hands them to the
/// connection, which frames them into its send buffer (see Http2Connection.WriteResponse).
/// </summary>
internal sealed class ResponseBodyWriter(Http2Stream stream) : PipeWriter
{
    private ByteBuffer? _unflushed;

    /// <summary>Bytes written and not yet flushed (the application's thread; null until the first write).</summary>
    public ByteBuffer? Unflushed => _unflushed;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed?.Length ?? 0;

    public override void Advance(int bytes) => Buffer().Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => Buffer().GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => Buffer().GetSpan(sizeHint);

    public override void CancelPendingFlush() => stream.Connection.CancelFlush(stream);

    public override void Complete(Exception? exception = null)
    {
        // The response ends when the application returns (or completes the body feature); nothing to do here.
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => stream.FlushAsync(cancellationToken);

    // Write and flush in one: with nothing buffered before, the bytes go from the caller's memory into the
    // connection's send buffer (the fan-out's path: one encoded frame per watch stream).
    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        _unflushed is { Length: > 0 } || !stream.CanWriteDirectly
            ? base.WriteAsync(source, cancellationToken)
            : stream.Connection.WriteResponse(stream, source.Span, cancellationToken);

    public void Release()
    {
        _unflushed?.Dispose();
        _unflushed = null;
    }

    private ByteBuffer Buffer() => _unflushed ??= new ByteBuffer(256);
}
