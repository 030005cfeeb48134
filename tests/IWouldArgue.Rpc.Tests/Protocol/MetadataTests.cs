namespace IWouldArgue.Rpc.Tests.Protocol;

public class MetadataTests
{
    [Fact]
    public void Add_UppercaseKey_IsStoredLowercase()
    {
        var metadata = new Metadata { { "X-Trace", "abc" } };

        Assert.Equal("x-trace", metadata.Single().Key);
        Assert.Equal("abc", metadata.GetValue("X-TRACE"));
    }

    [Fact]
    public void Add_BinaryKeyWithText_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Metadata { { "blob-bin", "text" } });
    }

    [Fact]
    public void Add_TextKeyWithBytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Metadata { { "blob", new byte[] { 1 } } });
    }

    [Theory]
    [InlineData("grpc-status")]
    [InlineData("bad key")]
    [InlineData("")]
    public void Add_ReservedOrInvalidKey_Throws(string key)
    {
        Assert.Throws<ArgumentException>(() => new Metadata { { key, "v" } });
    }

    [Fact]
    public void Add_NonAsciiTextValue_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Metadata { { "name", "naïve" } });
    }
}
