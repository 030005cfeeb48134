using IWouldArgue.Rpc.Protocol;

namespace IWouldArgue.Rpc.Tests.Protocol;

public class PercentEncodingTests
{
    [Theory]
    [InlineData("plain message", "plain message")]
    [InlineData("100%", "100%25")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("café ☕", "caf%C3%A9 %E2%98%95")]
    public void Encode_EscapesNonPrintableAndPercent(string text, string expected)
    {
        Assert.Equal(expected, PercentEncoding.Encode(text));
    }

    [Theory]
    [InlineData("plain message")]
    [InlineData("100% sure\r\n")]
    [InlineData("Ünïcödé 🎉 and %41")]
    public void Decode_OfEncode_GivesTheOriginal(string text)
    {
        Assert.Equal(text, PercentEncoding.Decode(PercentEncoding.Encode(text)));
    }

    [Theory]
    [InlineData("bad %G1 sequence", "bad %G1 sequence")]
    [InlineData("trailing %4", "trailing %4")]
    [InlineData("%", "%")]
    public void Decode_MalformedSequence_IsKeptAsIs(string text, string expected)
    {
        Assert.Equal(expected, PercentEncoding.Decode(text));
    }
}
