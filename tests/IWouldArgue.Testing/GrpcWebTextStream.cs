namespace IWouldArgue.Testing;

/// <summary>
/// Reads a gRPC-Web text body as the bytes it encodes. The spec lets a server base64 each write on its own,
/// padding included, so padding may appear mid-body; this decodes quantum by quantum (4 characters), which
/// <see cref="System.Security.Cryptography.FromBase64Transform"/> does not allow.
/// </summary>
public sealed class GrpcWebTextStream(Stream text) : ReadOnlyStream
{
    private readonly byte[] _chars = new byte[4096];
    private readonly char[] _quantum = new char[4];
    private readonly Queue<byte> _decoded = new();
    private int _filled;

    public override long Length => throw new NotSupportedException();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_decoded.Count == 0)
        {
            var read = await text.ReadAsync(_chars, cancellationToken);
            if (read == 0)
            {
                return 0;
            }
            foreach (var c in _chars.AsSpan(0, read))
            {
                if (char.IsWhiteSpace((char)c))
                {
                    continue;
                }
                _quantum[_filled++] = (char)c;
                if (_filled == 4)
                {
                    foreach (var b in Convert.FromBase64CharArray(_quantum, 0, 4))
                    {
                        _decoded.Enqueue(b);
                    }
                    _filled = 0;
                }
            }
        }
        var n = 0;
        while (n < buffer.Length && _decoded.TryDequeue(out var b))
        {
            buffer.Span[n++] = b;
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            text.Dispose();
        }
        base.Dispose(disposing);
    }
}
