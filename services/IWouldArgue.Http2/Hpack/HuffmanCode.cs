namespace IWouldArgue.Http2.Hpack;

/// <summary>
/// The Huffman code of HPACK (RFC 7541, Appendix B). The code is canonical: codes of one length are consecutive
/// and follow symbol order, and each length starts where the previous one ended, shifted. So the symbols of each
/// length, in the RFC's order, are all the table there is; the codes follow from them.
/// </summary>
internal static class HuffmanCode
{
    public const int Eos = 256;
    private const int MaxLength = 30;

    // Symbols by code length (5..30 bits), as in Appendix B sorted by code.
    private static readonly (int Length, int[] Symbols)[] SymbolsByLength =
    [
        (5, [48, 49, 50, 97, 99, 101, 105, 111, 115, 116]),
        (6, [32, 37, 45, 46, 47, 51, 52, 53, 54, 55, 56, 57, 61, 65, 95, 98, 100, 102, 103, 104, 108, 109, 110, 112, 114, 117]),
        (7, [58, .. Range(66, 87), 89, 106, 107, 113, .. Range(118, 122)]),
        (8, [38, 42, 44, 59, 88, 90]),
        (10, [33, 34, 40, 41, 63]),
        (11, [39, 43, 124]),
        (12, [35, 62]),
        (13, [0, 36, 64, 91, 93, 126]),
        (14, [94, 125]),
        (15, [60, 96, 123]),
        (19, [92, 195, 208]),
        (20, [128, 130, 131, 162, 184, 194, 224, 226]),
        (21, [153, 161, 167, 172, 176, 177, 179, 209, 216, 217, 227, 229, 230]),
        (22, [129, 132, 133, 134, 136, 146, 154, 156, 160, 163, 164, 169, 170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228, 232, 233]),
        (23, [1, 135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152, 155, 157, 158, 165, 166, 168, 174, 175, 180, 182, 183, 188, 191, 197, 231, 239]),
        (24, [9, 142, 144, 145, 148, 159, 171, 206, 215, 225, 236, 237]),
        (25, [199, 207, 234, 235]),
        (26, [192, 193, 200, 201, 202, 205, 210, 213, 218, 219, 238, 240, 242, 243, 255]),
        (27, [203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245, 246, 247, 248, 250, 251, 252, 253, 254]),
        (28, [.. Range(2, 8), 11, 12, .. Range(14, 21), .. Range(23, 31), 127, 220, 249]),
        (30, [10, 13, 22, Eos]),
    ];

    // Canonical decoding: for each length, its first code, how many codes it has, and where its symbols start.
    private static readonly int[] FirstCode = new int[MaxLength + 1];
    private static readonly int[] CountOf = new int[MaxLength + 1];
    private static readonly int[] StartOf = new int[MaxLength + 1];
    private static readonly int[] Ordered;
    private static readonly (uint Code, int Length)[] Codes = new (uint, int)[Eos + 1];

    static HuffmanCode()
    {
        var ordered = new List<int>();
        var code = 0;
        var previousLength = 0;
        foreach (var (length, symbols) in SymbolsByLength)
        {
            code <<= length - previousLength;
            previousLength = length;
            FirstCode[length] = code;
            CountOf[length] = symbols.Length;
            StartOf[length] = ordered.Count;
            foreach (var symbol in symbols)
            {
                Codes[symbol] = ((uint)code++, length);
                ordered.Add(symbol);
            }
        }
        Ordered = [.. ordered];
    }

    /// <summary>The code of a symbol (0..256) and its length in bits.</summary>
    public static (uint Code, int Length) CodeOf(int symbol) => Codes[symbol];

    /// <summary>
    /// Decodes a Huffman-coded string into <paramref name="output"/>, returning its length. Fails (false) on a
    /// code for EOS, on padding longer than 7 bits or not all ones, and when the output would not fit.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, Span<byte> output, out int written)
    {
        written = 0;
        var code = 0;
        var length = 0;
        foreach (var octet in input)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | ((octet >> bit) & 1);
                length++;
                var index = code - FirstCode[length];
                if (CountOf[length] > 0 && index >= 0 && index < CountOf[length])
                {
                    var symbol = Ordered[StartOf[length] + index];
                    if (symbol == Eos || written == output.Length)
                    {
                        return false;
                    }
                    output[written++] = (byte)symbol;
                    code = 0;
                    length = 0;
                }
                else if (length == MaxLength)
                {
                    return false;
                }
            }
        }
        // What is left is padding: the high bits of EOS (all ones), shorter than a byte.
        return length < 8 && code == (1 << length) - 1;
    }

    /// <summary>The encoded length in bytes of <paramref name="input"/>.</summary>
    public static int EncodedLength(ReadOnlySpan<byte> input)
    {
        long bits = 0;
        foreach (var octet in input)
        {
            bits += Codes[octet].Length;
        }
        return (int)((bits + 7) / 8);
    }

    /// <summary>Encodes <paramref name="input"/> into <paramref name="output"/> (sized by <see cref="EncodedLength"/>), padded with ones.</summary>
    public static int Encode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        ulong buffer = 0;
        var bits = 0;
        var written = 0;
        foreach (var octet in input)
        {
            var (code, length) = Codes[octet];
            buffer = (buffer << length) | code;
            bits += length;
            while (bits >= 8)
            {
                bits -= 8;
                output[written++] = (byte)(buffer >> bits);
            }
        }
        if (bits > 0)
        {
            output[written++] = (byte)((buffer << (8 - bits)) | (0xFFu >> bits));
        }
        return written;
    }

    private static int[] Range(int first, int last) => [.. Enumerable.Range(first, last - first + 1)];
}
