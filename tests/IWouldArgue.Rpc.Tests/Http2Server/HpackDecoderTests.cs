using IWouldArgue.Http2.Hpack;

namespace IWouldArgue.Rpc.Tests.Http2Server;

/// <summary>Header block decoding against RFC 7541's request examples (Appendix C.3 and C.4), which use the dynamic table.</summary>
public class HpackDecoderTests
{
    private static readonly string[][] Expected =
    [
        [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"],
        [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com", "cache-control: no-cache"],
        [":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com", "custom-key: custom-value"],
    ];

    [Fact]
    public void Decode_RfcRequestsWithoutHuffman_GivesTheirFields_TableCarriedAcrossBlocks()
    {
        AssertDecodesInOrder(
            "828684410f7777772e6578616d706c652e636f6d",
            "828684be58086e6f2d6361636865",
            "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565");
    }

    [Fact]
    public void Decode_RfcRequestsWithHuffman_GivesTheirFields_TableCarriedAcrossBlocks()
    {
        AssertDecodesInOrder(
            "828684418cf1e3c2e5f23a6ba0ab90f4ff",
            "828684be5886a8eb10649cbf",
            "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf");
    }

    [Fact]
    public void Decode_IndexBeyondTheTables_IsACompressionError()
    {
        var decoder = new HpackDecoder(4096, 16 * 1024);

        // Index 62 is the first dynamic entry, and the table is empty.
        Assert.Throws<HpackException>(() => decoder.Decode(Convert.FromHexString("be"), (_, _) => { }));
    }

    [Fact]
    public void Decode_TableSizeUpdateAboveTheLimit_IsACompressionError()
    {
        var decoder = new HpackDecoder(4096, 16 * 1024);

        // 001 11111, then 97 and 63 << 7: a size update to 31 + 97 + 8064 = 8192.
        Assert.Throws<HpackException>(() => decoder.Decode([0x3F, 0xE1, 0x3F], (_, _) => { }));
    }

    [Fact]
    public void Decode_ListOverTheLimit_IsRefused_ButTheTableStaysInStep()
    {
        var decoder = new HpackDecoder(4096, 60);

        // The first block adds ":authority: www.example.com" (57 bytes by HPACK's count) and a field that
        // breaks the 60-byte limit; the next block refers to the first by index and must still find it.
        Assert.Throws<HeaderListTooLargeException>(() => decoder.Decode(Convert.FromHexString("410f7777772e6578616d706c652e636f6d82"), (_, _) => { }));
        var fields = new List<string>();
        decoder.Decode(Convert.FromHexString("be"), (name, value) => fields.Add($"{name}: {value}"));

        Assert.Equal([":authority: www.example.com"], fields);
    }

    private static void AssertDecodesInOrder(params string[] blocks)
    {
        var decoder = new HpackDecoder(4096, 16 * 1024);
        for (var i = 0; i < blocks.Length; i++)
        {
            var fields = new List<string>();
            decoder.Decode(Convert.FromHexString(blocks[i]), (name, value) => fields.Add($"{name}: {value}"));
            Assert.Equal(Expected[i], fields);
        }
    }
}
