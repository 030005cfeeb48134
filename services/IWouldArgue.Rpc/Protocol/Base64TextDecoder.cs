namespace IWouldArgue.Rpc.Protocol;

/// <summary>
/// Decodes a gRPC-Web text body that arrives in arbitrary pieces. Base64 is decoded in groups of four
/// characters; a group may end in padding, so separately padded chunks may follow each other.
/// A group split across two reads is kept until its rest arrives.
/// </summary>
internal sealed class Base64TextDecoder
{
    private readonly char[] _group = new char[4];
    private int _count;

    /// <summary>True when a partial group is waiting for more input.</summary>
    public bool HasPartialGroup => _count > 0;

    /// <summary>The most bytes <see cref="Decode"/> can produce from <paramref name="inputLength"/> characters.</summary>
    public static int MaxDecodedLength(int inputLength) => ((inputLength + 3) / 4 * 3) + 3;

    /// <summary>Decodes what it can of <paramref name="ascii"/> into <paramref name="output"/>; returns the bytes written.</summary>
    public int Decode(ReadOnlySpan<byte> ascii, Span<byte> output)
    {
        var written = 0;
        foreach (var b in ascii)
        {
            if (b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t')
            {
                continue;
            }
            _group[_count++] = (char)b;
            if (_count < 4)
            {
                continue;
            }
            _count = 0;
            if (!Convert.TryFromBase64Chars(_group, output[written..], out var bytes))
            {
                throw new FormatException("The gRPC-Web text body is not valid base64.");
            }
            written += bytes;
        }
        return written;
    }
}
