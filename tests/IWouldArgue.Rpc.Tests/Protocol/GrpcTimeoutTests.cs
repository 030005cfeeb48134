using IWouldArgue.Rpc.Protocol;

namespace IWouldArgue.Rpc.Tests.Protocol;

public class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H", 3_600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3_000)]
    [InlineData("250m", 250)]
    [InlineData("1500u", 1.5)]
    [InlineData("2000000n", 2)]
    [InlineData("99999999m", 99_999_999)]
    public void Parse_EachUnit_GivesTheDuration(string header, double expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), GrpcTimeout.Parse(header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-5S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    [InlineData(" 5S")]
    public void Parse_Malformed_GivesNull(string? header)
    {
        Assert.Null(GrpcTimeout.Parse(header));
    }

    [Theory]
    [InlineData(5_000, "5000000u")]
    [InlineData(99_999.999, "99999999u")]
    [InlineData(100_000, "100000m")]
    [InlineData(200_000_000, "200000S")]
    public void Format_UsesTheFinestUnitThatFitsEightDigits(double ms, string expected)
    {
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromMilliseconds(ms)));
    }

    [Fact]
    public void Format_Days_RoundTripsWithinOneUnit()
    {
        var text = GrpcTimeout.Format(TimeSpan.FromDays(3));

        Assert.Equal(TimeSpan.FromDays(3), GrpcTimeout.Parse(text));
    }

    [Fact]
    public void Format_SubMicrosecond_RoundsUpToOneUnit()
    {
        Assert.Equal("1u", GrpcTimeout.Format(TimeSpan.FromTicks(1)));
    }
}
