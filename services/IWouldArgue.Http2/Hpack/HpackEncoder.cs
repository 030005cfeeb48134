using System.Text;

namespace IWouldArgue.Http2.Hpack;

/// <summary>
/// Encodes response header blocks without touching the peer's dynamic table: every field is an indexed static
/// entry (:status 200) or a literal without indexing, its name indexed when the static table has it. Strings
/// go as they are; response headers of gRPC are short and few, and this keeps the encoder stateless.
/// </summary>
internal static class HpackEncoder
{
    public static void WriteStatus(ByteBuffer output, int status)
    {
        if (status == 200)
        {
            output.WriteByte(0x88); // static index 8: ":status: 200"
            return;
        }
        WriteField(output, ":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static void WriteField(ByteBuffer output, string name, string value)
    {
        var index = StaticTable.IndexOfName(name);
        WriteInteger(output, 0x00, 4, index);
        if (index == 0)
        {
            WriteString(output, name);
        }
        WriteString(output, value);
    }

    private static void WriteString(ByteBuffer output, string text)
    {
        var length = Encoding.Latin1.GetByteCount(text);
        WriteInteger(output, 0x00, 7, length);
        Encoding.Latin1.GetBytes(text, output.GetSpan(length));
        output.Advance(length);
    }

    private static void WriteInteger(ByteBuffer output, byte flags, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.WriteByte((byte)(flags | value));
            return;
        }
        output.WriteByte((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            output.WriteByte((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }
}
