using System.Buffers.Binary;

namespace IWouldArgue.Attachments.Tests;

/// <summary>
/// The smallest files each image format's structure allows, declaring the size asked for (their pixel data is a
/// token: the check walks structure and sizes, a browser would draw garbage). Written from the formats' specifications.
/// </summary>
internal static class TestImages
{
    public static byte[] Of(string format, int width, int height) => format switch
    {
        "jpeg" => Jpeg(width, height),
        "gif" => Gif(width, height, width, height),
        "webp-lossless" => WebPLossless(width, height),
        "webp-extended" => WebPExtended(width, height),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>SOI, a baseline frame header (3 components), a scan header, three bytes of scan data, EOI.</summary>
    public static byte[] Jpeg(int width, int height) =>
    [
        0xFF, 0xD8,
        0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
        0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00,
        0x12, 0x34, 0x56,
        0xFF, 0xD9,
    ];

    /// <summary>A GIF89a logical screen with one image (no colour tables) of its own size, then the trailer.</summary>
    public static byte[] Gif(int screenWidth, int screenHeight, int imageWidth, int imageHeight)
    {
        var gif = new List<byte>("GIF89a"u8.ToArray());
        gif.AddRange(U16(screenWidth));
        gif.AddRange(U16(screenHeight));
        gif.AddRange([0x00, 0x00, 0x00]);
        gif.Add(0x2C);
        gif.AddRange(U16(0));
        gif.AddRange(U16(0));
        gif.AddRange(U16(imageWidth));
        gif.AddRange(U16(imageHeight));
        gif.AddRange([0x00, 0x02, 0x02, 0x4C, 0x01, 0x00, 0x3B]);
        return [.. gif];
    }

    /// <summary>RIFF/WEBP with one VP8L chunk: the signature byte and the 14-bit sizes.</summary>
    public static byte[] WebPLossless(int width, int height) => Riff(Lossless(width, height));

    /// <summary>RIFF/WEBP with a VP8X chunk declaring the canvas, then a 1 x 1 VP8L image.</summary>
    public static byte[] WebPExtended(int width, int height)
    {
        var vp8x = new List<byte>("VP8X"u8.ToArray());
        vp8x.AddRange(U32(10));
        vp8x.AddRange([0, 0, 0, 0]);
        vp8x.AddRange(U24(width - 1));
        vp8x.AddRange(U24(height - 1));
        return Riff([.. vp8x, .. Lossless(1, 1)]);
    }

    private static byte[] Lossless(int width, int height)
    {
        var chunk = new List<byte>("VP8L"u8.ToArray());
        chunk.AddRange(U32(5));
        chunk.Add(0x2F);
        chunk.AddRange(U32((uint)(width - 1) | ((uint)(height - 1) << 14)));
        chunk.Add(0); // padding to an even size
        return [.. chunk];
    }

    private static byte[] Riff(byte[] chunks) => [.. "RIFF"u8, .. U32((uint)(4 + chunks.Length)), .. "WEBP"u8, .. chunks];

    private static byte[] U16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
        return bytes;
    }

    private static byte[] U24(int value) => [(byte)value, (byte)(value >> 8), (byte)(value >> 16)];

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
