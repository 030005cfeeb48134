namespace IWouldArgue.Testing;

/// <summary>
/// A stream of <paramref name="length"/> bytes made on the fly (a file's magic bytes, then a repeating
/// pattern), so tests upload large files without holding them; it can fail part-way, like a dropped client.
/// </summary>
public sealed class GeneratedFileStream(byte[] head, long length, long failAfter = long.MaxValue) : ReadOnlyStream
{
    private long _position;

    /// <summary>The eight bytes every PNG file starts with.</summary>
    public static byte[] PngSignature { get; } = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= failAfter)
        {
            throw new IOException("The client went away.");
        }
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
        {
            var at = _position + i;
            buffer[i] = at < head.Length ? head[at] : (byte)(at * 31 % 251);
        }
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));


    /// <summary>The SHA-256 of the same bytes, computed by reading another copy.</summary>
    public static string Sha256Of(byte[] head, long length)
    {
        using var copy = new GeneratedFileStream(head, length);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(copy));
    }
}
