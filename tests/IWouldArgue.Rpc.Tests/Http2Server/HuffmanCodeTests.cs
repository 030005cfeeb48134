using System.Text;
using IWouldArgue.Http2.Hpack;

namespace IWouldArgue.Rpc.Tests.Http2Server;

/// <summary>HPACK's Huffman code against RFC 7541's examples (Appendix C.4 and C.6).</summary>
public class HuffmanCodeTests
{
    public static TheoryData<string, string> RfcExamples => new()
    {
        { "www.example.com", "f1e3c2e5f23a6ba0ab90f4ff" },
        { "no-cache", "a8eb10649cbf" },
        { "custom-key", "25a849e95ba97d7f" },
        { "custom-value", "25a849e95bb8e8b4bf" },
        { "302", "6402" },
        { "private", "aec3771a4b" },
        { "Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff" },
        { "https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3" },
    };

    [Theory]
    [MemberData(nameof(RfcExamples))]
    public void TryDecode_RfcExample_GivesTheText(string text, string hex)
    {
        var output = new byte[64];

        Assert.True(HuffmanCode.TryDecode(Convert.FromHexString(hex), output, out var written));
        Assert.Equal(text, Encoding.ASCII.GetString(output, 0, written));
    }

    [Theory]
    [MemberData(nameof(RfcExamples))]
    public void Encode_RfcExample_GivesTheRfcBytes(string text, string hex)
    {
        var input = Encoding.ASCII.GetBytes(text);
        var output = new byte[HuffmanCode.EncodedLength(input)];

        HuffmanCode.Encode(input, output);

        Assert.Equal(hex, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Code_IsComplete_EveryBitStringStartsWithExactlyOneCode()
    {
        // Kraft's equality: the 257 code lengths fill the code space exactly, as a complete prefix code must.
        var sum = Enumerable.Range(0, 257).Sum(symbol => 1L << (30 - HuffmanCode.CodeOf(symbol).Length));

        Assert.Equal(1L << 30, sum);
    }

    [Fact]
    public void EveryByteValue_RoundTrips()
    {
        var input = Enumerable.Range(0, 256).Select(b => (byte)b).Concat(Encoding.ASCII.GetBytes("content-type: application/grpc")).ToArray();
        var encoded = new byte[HuffmanCode.EncodedLength(input)];
        HuffmanCode.Encode(input, encoded);
        var decoded = new byte[input.Length * 2];

        Assert.True(HuffmanCode.TryDecode(encoded, decoded, out var written));
        Assert.Equal(input, decoded[..written]);
    }

    [Theory]
    [InlineData("1fff", "a ('00011') then 11 bits of padding: longer than 7")]
    [InlineData("18", "a then padding of zeros, not the start of EOS")]
    [InlineData("fffffffc", "the full 30-bit EOS code")]
    public void TryDecode_BadPaddingOrEos_Fails(string hex, string why)
    {
        Assert.False(HuffmanCode.TryDecode(Convert.FromHexString(hex), new byte[16], out _), why);
    }
}
