using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace IWouldArgue.Attachments;

/// <summary>
/// Whether a file that starts like an image is one all the way through, so that only such files are shared as images
/// (and shown inline). Magic bytes alone are easy to fake: an HTML page behind a PNG signature is not a PNG.
/// Written by hand because the image library served here (SkiaSharp 4.156) cannot decode a PNG row by row
/// (StartScanlineDecode answers Unimplemented), and decoding a 30 MB upload to a whole bitmap costs over 100 MB per
/// upload. So each format's structure is walked, from its specification, in constant memory: PNG (every chunk's CRC,
/// IHDR first, IEND last, and the image data inflating to exactly the size its header promises), JPEG (the marker
/// segments, a frame header before each scan, EOI at the end), GIF (the block sequence up to the trailer, with at least
/// one image) and WebP (the RIFF chunks, and a VP8, VP8L or animation frame chunk). On the way it reads the size each
/// format declares (PNG's IHDR, every JPEG frame header, GIF's logical screen and every image in it, WebP's canvas and
/// frames) and refuses any over <see cref="MaxPixels"/>: a small file may decode to a huge bitmap in every viewer's browser.
/// </summary>
internal static class ImageCheck
{
    /// <summary>The most pixels a shared image may have (a 12,000 x 8,000 photo fits): a decompression bomb is refused unread.</summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>The image's width and height (what the browser will draw) when it is well formed throughout and no part of it declares more than <see cref="MaxPixels"/>; otherwise null.</summary>
    public static (long Width, long Height)? Inspect(string path, string mediaType)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024);
            return mediaType switch
            {
                "image/png" => Png(file),
                "image/jpeg" => Jpeg(file),
                "image/gif" => Gif(file),
                "image/webp" => WebP(file),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or IOException)
        {
            return null;
        }
    }

    private static bool Fits(long width, long height) => width > 0 && height > 0 && width * height <= MaxPixels;

    private static (long Width, long Height)? Png(Stream file)
    {
        file.Position = 8;
        Span<byte> header = stackalloc byte[8];
        Span<byte> crc = stackalloc byte[4];
        var first = true;
        var (width, height, bitsPerPixel, interlaced) = (0L, 0L, 0, false);
        using var inflater = new ChunkedInflater();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            file.ReadExactly(header);
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length > int.MaxValue || file.Position + length + 4 > file.Length)
            {
                return null;
            }
            var type = System.Text.Encoding.ASCII.GetString(header[4..]);
            if (first != (type == "IHDR") || (type == "IHDR" && length != 13))
            {
                return null;
            }
            var checksum = new Crc32();
            checksum.Append(header[4..]);
            var data = type == "IHDR" ? new byte[length] : null;
            for (long left = length; left > 0;)
            {
                var part = buffer.AsSpan(0, (int)Math.Min(buffer.Length, left));
                file.ReadExactly(part);
                checksum.Append(part);
                if (data is not null)
                {
                    part.CopyTo(data.AsSpan((int)(length - left)));
                }
                if (type == "IDAT" && !inflater.Feed(part))
                {
                    return null;
                }
                left -= part.Length;
            }
            file.ReadExactly(crc);
            if (BinaryPrimitives.ReadUInt32BigEndian(crc) != checksum.GetCurrentHashAsUInt32())
            {
                return null;
            }
            switch (type)
            {
                case "IHDR":
                    first = false;
                    width = BinaryPrimitives.ReadUInt32BigEndian(data);
                    height = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4));
                    bitsPerPixel = data![8] * (data[9] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 });
                    interlaced = data[12] == 1;
                    if (!Fits(width, height) || bitsPerPixel == 0)
                    {
                        return null;
                    }
                    inflater.Expect(PngDataSize(width, height, bitsPerPixel, interlaced));
                    break;
                case "IEND":
                    return file.Position == file.Length && inflater.Complete() ? (width, height) : null;
            }
        }
    }

    // Filtered scanlines: one filter byte, then the row's bytes; Adam7 interlacing stores seven such sub-images.
    private static long PngDataSize(long width, long height, int bitsPerPixel, bool interlaced)
    {
        static long Rows(long w, long h, int bpp) => w == 0 || h == 0 ? 0 : h * (1 + (((w * bpp) + 7) / 8));
        if (!interlaced)
        {
            return Rows(width, height, bitsPerPixel);
        }
        (int X, int Y, int Dx, int Dy)[] passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
        return passes.Sum(p => Rows((width - p.X + p.Dx - 1) / p.Dx, (height - p.Y + p.Dy - 1) / p.Dy, bitsPerPixel));
    }

    /// <summary>
    /// The zlib stream of a PNG's IDAT chunks, inflated as it arrives and counted, never kept: more output than the
    /// header promises is refused at once (a bomb stops there), and the end must come at exactly that size.
    /// </summary>
    private sealed class ChunkedInflater : IDisposable
    {
        private readonly Pipe _input = new();
        private readonly ZLibStream _inflate;
        private readonly byte[] _output = new byte[64 * 1024];
        private long _expected = -1;
        private long _produced;

        public ChunkedInflater() => _inflate = new ZLibStream(_input, CompressionMode.Decompress);

        public void Expect(long size) => _expected = size;

        public bool Feed(ReadOnlySpan<byte> compressed)
        {
            if (_expected < 0)
            {
                return false; // image data before the header
            }
            _input.Add(compressed);
            return Drain();
        }

        public bool Complete() => _expected >= 0 && Drain() && _produced == _expected;

        // Inflates what has arrived; the zlib stream may stop mid-way until more comes (the pipe then reads 0).
        private bool Drain()
        {
            int read;
            while ((read = _inflate.Read(_output)) > 0)
            {
                _produced += read;
                if (_produced > _expected)
                {
                    return false;
                }
            }
            return true;
        }

        public void Dispose() => _inflate.Dispose();

        /// <summary>A stream of the compressed bytes fed so far; reading past them answers 0 (more may come).</summary>
        private sealed class Pipe : Stream
        {
            private readonly Queue<byte[]> _parts = new();
            private byte[] _current = [];
            private int _offset;

            public void Add(ReadOnlySpan<byte> part) => _parts.Enqueue(part.ToArray());

            public override int Read(byte[] buffer, int offset, int count)
            {
                while (_offset == _current.Length)
                {
                    if (!_parts.TryDequeue(out var next))
                    {
                        return 0;
                    }
                    (_current, _offset) = (next, 0);
                }
                var n = Math.Min(count, _current.Length - _offset);
                Array.Copy(_current, _offset, buffer, offset, n);
                _offset += n;
                return n;
            }

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }

    private static (long Width, long Height)? Jpeg(Stream file)
    {
        var reader = new BinaryReader(file);
        if (reader.ReadByte() != 0xFF || reader.ReadByte() != 0xD8)
        {
            return null;
        }
        (long Width, long Height)? frame = null;
        while (true)
        {
            if (reader.ReadByte() != 0xFF)
            {
                return null;
            }
            var marker = reader.ReadByte();
            while (marker == 0xFF)
            {
                marker = reader.ReadByte(); // fill bytes
            }
            if (marker == 0xD9)
            {
                return file.Position == file.Length ? frame : null;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }
            var length = (reader.ReadByte() << 8) | reader.ReadByte();
            if (length < 2 || file.Position + length - 2 > file.Length)
            {
                return null;
            }
            var next = file.Position + length - 2;
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                // A frame header: precision, then height and width. A height of 0 (left to a later DNL marker) is refused
                // with the rest: its size could not be checked before a browser decodes it.
                if (length < 8)
                {
                    return null;
                }
                reader.ReadByte();
                var height = (reader.ReadByte() << 8) | reader.ReadByte();
                var width = (reader.ReadByte() << 8) | reader.ReadByte();
                if (!Fits(width, height))
                {
                    return null;
                }
                frame ??= (width, height);
            }
            file.Position = next;
            if (marker == 0xDA)
            {
                if (frame is null)
                {
                    return null;
                }
                SkipEntropyCodedData(reader);
            }
        }
    }

    // Scan data runs until a marker that is not a stuffed 0x00 or a restart marker; leaves the stream at that marker.
    private static void SkipEntropyCodedData(BinaryReader reader)
    {
        while (true)
        {
            if (reader.ReadByte() != 0xFF)
            {
                continue;
            }
            var next = reader.ReadByte();
            while (next == 0xFF)
            {
                next = reader.ReadByte();
            }
            if (next is 0x00 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }
            reader.BaseStream.Position -= 2;
            return;
        }
    }

    private static (long Width, long Height)? Gif(Stream file)
    {
        var reader = new BinaryReader(file);
        file.Position = 6;
        var width = reader.ReadUInt16();
        var height = reader.ReadUInt16();
        var flags = reader.ReadByte();
        file.Position += 2;
        if (!Fits(width, height))
        {
            return null;
        }
        if ((flags & 0x80) != 0)
        {
            file.Position += 3 * (1 << ((flags & 7) + 1));
        }
        var images = 0;
        while (true)
        {
            switch (reader.ReadByte())
            {
                case 0x21: // extension: a label, then sub-blocks
                    reader.ReadByte();
                    SkipSubBlocks(reader);
                    break;
                case 0x2C: // image: descriptor (left, top, width, height, flags), local colour table, LZW code size, sub-blocks
                    file.Position += 4;
                    if (!Fits(reader.ReadUInt16(), reader.ReadUInt16()))
                    {
                        return null;
                    }
                    var local = reader.ReadByte();
                    if ((local & 0x80) != 0)
                    {
                        file.Position += 3 * (1 << ((local & 7) + 1));
                    }
                    if (reader.ReadByte() is < 2 or > 8)
                    {
                        return null;
                    }
                    SkipSubBlocks(reader);
                    images++;
                    break;
                case 0x3B:
                    return images > 0 && file.Position == file.Length ? (width, height) : null;
                default:
                    return null;
            }
        }
    }

    private static void SkipSubBlocks(BinaryReader reader)
    {
        int size;
        while ((size = reader.ReadByte()) > 0)
        {
            if (reader.BaseStream.Position + size > reader.BaseStream.Length)
            {
                throw new EndOfStreamException();
            }
            reader.BaseStream.Position += size;
        }
    }

    // VP8X declares the canvas (24-bit sizes minus one, after 4 bytes of flags); an animation frame its own (after its
    // 6-byte offset); a still image's VP8L packs 14-bit sizes minus one after its signature byte, VP8 has 14-bit sizes
    // after its frame tag and start code. The canvas, when declared, is the size; else the still image's.
    private static (long Width, long Height)? WebP(Stream file)
    {
        var reader = new BinaryReader(file);
        file.Position = 4;
        if (reader.ReadUInt32() + 8L != file.Length)
        {
            return null;
        }
        file.Position = 12;
        var image = false;
        (long Width, long Height)? canvas = null, still = null;
        while (file.Position < file.Length)
        {
            var chunk = System.Text.Encoding.ASCII.GetString(reader.ReadBytes(4));
            var size = reader.ReadUInt32();
            var start = file.Position;
            if (start + size > file.Length)
            {
                return null;
            }
            switch (chunk)
            {
                case "VP8 ":
                    file.Position = start + 3;
                    image = size >= 10 && reader.ReadByte() == 0x9D && reader.ReadByte() == 0x01 && reader.ReadByte() == 0x2A;
                    still ??= image ? (reader.ReadUInt16() & 0x3FFF, reader.ReadUInt16() & 0x3FFF) : null;
                    break;
                case "VP8L":
                    image = size >= 5 && reader.ReadByte() == 0x2F;
                    var bits = image ? reader.ReadUInt32() : 0;
                    still ??= image ? (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)) : null;
                    break;
                case "VP8X" or "ANMF":
                    if (size < (chunk == "VP8X" ? 10u : 16u))
                    {
                        return null;
                    }
                    file.Position = start + (chunk == "VP8X" ? 4 : 6);
                    var declared = (Width: 1 + Uint24(reader), Height: 1 + Uint24(reader));
                    if (!Fits(declared.Width, declared.Height))
                    {
                        return null;
                    }
                    canvas ??= chunk == "VP8X" ? declared : null;
                    image |= chunk == "ANMF";
                    break;
                case "ALPH" or "ICCP" or "EXIF" or "XMP " or "ANIM":
                    break;
                default:
                    return null;
            }
            if (still is { } s && !Fits(s.Width, s.Height))
            {
                return null;
            }
            file.Position = start + size + (size & 1);
        }
        return image && file.Position == file.Length ? canvas ?? still : null;
    }

    private static long Uint24(BinaryReader reader) => reader.ReadByte() | (reader.ReadByte() << 8) | (reader.ReadByte() << 16);
}
