using System.Buffers.Binary;
using System.IO.Hashing;

namespace IWouldArgue.Testing;

/// <summary>
/// A well-formed PNG of exactly the length asked for, made on the fly (so a 30 MiB image is never held): an 8-bit
/// grey image 63 pixels wide with as many rows as fit, stored uncompressed (deflate's stored blocks) in 1 MiB IDAT
/// chunks, and a private ancillary chunk padding it to the byte. Every CRC and the Adler-32 are right, so it decodes.
/// </summary>
public sealed class GeneratedPngStream : ReadOnlyStream
{
    private const int Row = 64; // the filter byte and 63 pixels
    private const int MaxStoredBlock = 65_535;
    private const int MaxIdat = 1 << 20;
    private readonly long _length;
    private readonly long _failAfter;
    private readonly IEnumerator<byte[]> _pieces;
    private byte[] _piece = [];
    private int _offset;
    private long _position;

    public GeneratedPngStream(long length, long failAfter = long.MaxValue)
    {
        _length = length;
        _failAfter = failAfter;
        var budget = length - 8 - 25 - 12; // signature, IHDR, IEND
        var rows = Math.Max(0, (budget - 30) / Row);
        while (rows > 0 && Padding(budget, rows) is < 0 or (> 0 and < 12))
        {
            rows--;
        }
        if (rows == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "Too short for a PNG with at least one row.");
        }
        _pieces = Pieces(rows, Padding(budget, rows)).GetEnumerator();
    }

    /// <summary>The SHA-256 of a generated PNG of <paramref name="length"/> bytes.</summary>
    public static string Sha256Of(long length)
    {
        using var copy = new GeneratedPngStream(length);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(copy));
    }

    public override long Length => _length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    private static long ZlibSize(long raw) => 2 + raw + (5 * ((raw + MaxStoredBlock - 1) / MaxStoredBlock)) + 4;

    private static long Padding(long budget, long rows)
    {
        var zlib = ZlibSize(rows * Row);
        return budget - zlib - (12 * ((zlib + MaxIdat - 1) / MaxIdat));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= _failAfter)
        {
            throw new IOException("The client went away.");
        }
        var written = 0;
        while (written < buffer.Length)
        {
            if (_offset == _piece.Length)
            {
                if (!_pieces.MoveNext())
                {
                    break;
                }
                (_piece, _offset) = (_pieces.Current, 0);
                continue;
            }
            var n = Math.Min(buffer.Length - written, _piece.Length - _offset);
            if (_failAfter != long.MaxValue)
            {
                n = (int)Math.Min(n, Math.Max(1, _failAfter - _position));
            }
            _piece.AsSpan(_offset, n).CopyTo(buffer[written..]);
            (_offset, written, _position) = (_offset + n, written + n, _position + n);
            if (_position >= _failAfter)
            {
                break;
            }
        }
        return written;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pieces.Dispose();
        }
        base.Dispose(disposing);
    }

    private static IEnumerable<byte[]> Pieces(long rows, long padding)
    {
        yield return GeneratedFileStream.PngSignature;
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, Row - 1);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)rows);
        header[8] = 8; // bit depth; colour type 0 (grey), deflate, no filter method, no interlace
        yield return Chunk("IHDR", header);
        if (padding > 0)
        {
            yield return Chunk("paDd", new byte[padding - 12]);
        }
        using var zlib = Zlib(rows).GetEnumerator();
        var pending = ReadOnlyMemory<byte>.Empty;
        var remaining = ZlibSize(rows * Row);
        while (remaining > 0)
        {
            var size = (int)Math.Min(MaxIdat, remaining);
            remaining -= size;
            var start = new byte[8];
            BinaryPrimitives.WriteUInt32BigEndian(start, (uint)size);
            "IDAT"u8.CopyTo(start.AsSpan(4));
            var crc = new Crc32();
            crc.Append(start.AsSpan(4));
            yield return start;
            while (size > 0)
            {
                if (pending.IsEmpty)
                {
                    zlib.MoveNext();
                    pending = zlib.Current;
                }
                var take = pending[..Math.Min(size, pending.Length)];
                crc.Append(take.Span);
                yield return take.ToArray();
                pending = pending[take.Length..];
                size -= take.Length;
            }
            yield return BigEndian(crc.GetCurrentHashAsUInt32());
        }
        yield return Chunk("IEND", []);
    }

    // zlib's header, the rows in stored deflate blocks, then the Adler-32 of the rows.
    private static IEnumerable<byte[]> Zlib(long rows)
    {
        yield return [0x78, 0x01];
        var raw = rows * Row;
        var (a, b) = (1u, 0u);
        for (long at = 0; at < raw; at += MaxStoredBlock)
        {
            var size = (int)Math.Min(MaxStoredBlock, raw - at);
            var block = new byte[5 + size];
            block[0] = (byte)(at + size == raw ? 1 : 0);
            BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(1), (ushort)size);
            BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(3), (ushort)~size);
            for (var i = 0; i < size; i++)
            {
                var offset = at + i;
                var value = offset % Row == 0 ? (byte)0 : (byte)(offset * 31 % 251);
                block[5 + i] = value;
                a = (a + value) % 65521;
                b = (b + a) % 65521;
            }
            yield return block;
        }
        yield return BigEndian((b << 16) | a);
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
