using System.Text;
using IWouldArgue.Rpc.Protocol;

namespace IWouldArgue.Rpc.Tests.Protocol;

public class Base64TextTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Decode_SplitAtAnyPoint_GivesTheSameBytes(int pieceLength)
    {
        var original = Encoding.UTF8.GetBytes("gRPC-Web text mode carries frames as base64.");
        var text = Encoding.ASCII.GetBytes(Convert.ToBase64String(original));
        var decoder = new Base64TextDecoder();
        var output = new List<byte>();

        for (var i = 0; i < text.Length; i += pieceLength)
        {
            var piece = text.AsSpan(i, Math.Min(pieceLength, text.Length - i));
            var buffer = new byte[Base64TextDecoder.MaxDecodedLength(piece.Length)];
            output.AddRange(buffer.AsSpan(0, decoder.Decode(piece, buffer)).ToArray());
        }

        Assert.Equal(original, output);
        Assert.False(decoder.HasPartialGroup);
    }

    [Fact]
    public void Decode_ConcatenatedPaddedChunks_DecodesEach()
    {
        var text = Encoding.ASCII.GetBytes(Convert.ToBase64String([1]) + Convert.ToBase64String([2, 3]) + Convert.ToBase64String([4, 5, 6]));
        var output = new byte[16];

        var written = new Base64TextDecoder().Decode(text, output);

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, output[..written]);
    }

    [Fact]
    public void Decode_InvalidCharacter_Throws()
    {
        Assert.Throws<FormatException>(() => new Base64TextDecoder().Decode("ab$d"u8, new byte[8]));
    }

    [Fact]
    public async Task ReadStream_BodyEndsInsideGroup_FailsWithInternal()
    {
        var stream = new Base64TextReadStream(new MemoryStream("QUJD"u8.ToArray().Concat("QQ"u8.ToArray()).ToArray()));
        var buffer = new byte[64];

        Assert.Equal(3, await stream.ReadAsync(buffer));
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await stream.ReadAtLeastAsync(buffer, 1));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }
}
