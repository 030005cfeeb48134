using System.Buffers.Binary;

namespace IWouldArgue.Attachments;

/// <summary>
/// The width and height an image declares, read from its header (PNG's IHDR, JPEG's first frame header, GIF's
/// logical screen, WebP's VP8X canvas or its VP8/VP8L frame). For an image <see cref="ImageCheck"/> found well formed;
/// used where size matters more than bytes: a small file may still decode to a huge bitmap in every viewer's browser.
/// </summary>
internal static class ImageSize
{
    public static (long Width, long Height)? Of(string path, string mediaType)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 16 * 1024);
            var reader = new BinaryReader(file);
            return mediaType switch
            {
                "image/png" => Png(reader),
                "image/gif" => Gif(reader),
                "image/jpeg" => Jpeg(reader),
                "image/webp" => WebP(reader),
                _ => null,
            };
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    private static (long, long) Png(BinaryReader reader)
    {
        reader.BaseStream.Position = 16;
        Span<byte> size = stackalloc byte[8];
        reader.BaseStream.ReadExactly(size);
        return (BinaryPrimitives.ReadUInt32BigEndian(size), BinaryPrimitives.ReadUInt32BigEndian(size[4..]));
    }

    private static (long, long) Gif(BinaryReader reader)
    {
        reader.BaseStream.Position = 6;
        return (reader.ReadUInt16(), reader.ReadUInt16());
    }

    // Marker segments up to the first start-of-frame (SOF0..SOF15 but DHT, JPG and DAC): precision, height, width.
    private static (long, long)? Jpeg(BinaryReader reader)
    {
        reader.BaseStream.Position = 2;
        while (true)
        {
            if (reader.ReadByte() != 0xFF)
            {
                return null;
            }
            var marker = reader.ReadByte();
            while (marker == 0xFF)
            {
                marker = reader.ReadByte();
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }
            var length = (reader.ReadByte() << 8) | reader.ReadByte();
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                reader.ReadByte();
                var height = (reader.ReadByte() << 8) | reader.ReadByte();
                var width = (reader.ReadByte() << 8) | reader.ReadByte();
                return (width, height);
            }
            if (marker is 0xDA or 0xD9 || length < 2)
            {
                return null;
            }
            reader.BaseStream.Position += length - 2;
        }
    }

    // The first chunk after "RIFF....WEBP" says: VP8X carries the canvas (24-bit, minus one), VP8L packs 14-bit sizes
    // (minus one) after its signature byte, VP8 has 14-bit sizes after its frame tag and start code.
    private static (long, long)? WebP(BinaryReader reader)
    {
        reader.BaseStream.Position = 12;
        var chunk = System.Text.Encoding.ASCII.GetString(reader.ReadBytes(4));
        reader.ReadUInt32();
        switch (chunk)
        {
            case "VP8X":
                reader.ReadUInt32();
                var canvas = reader.ReadBytes(6);
                return (1 + (canvas[0] | (canvas[1] << 8) | (canvas[2] << 16)), 1 + (canvas[3] | (canvas[4] << 8) | (canvas[5] << 16)));
            case "VP8L":
                reader.ReadByte();
                var bits = reader.ReadUInt32();
                return (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF));
            case "VP8 ":
                reader.BaseStream.Position += 6;
                return (reader.ReadUInt16() & 0x3FFF, reader.ReadUInt16() & 0x3FFF);
            default:
                return null;
        }
    }
}
