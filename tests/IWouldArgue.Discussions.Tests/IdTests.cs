using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Discussions.Tests;

public class IdTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(54_000UL)]
    [InlineData(ulong.MaxValue)]
    public void ACommentId_CarriesItsSequenceNumber(ulong seq)
    {
        var id = CommentIds.New(seq);

        Assert.True(CommentIds.TrySeqOf(id, out var carried));
        Assert.Equal(seq, carried);
        Assert.Matches("^c[A-Za-z0-9_-]{22}$", id);
    }

    [Fact]
    public void CommentIds_OfOneSequenceNumber_DoNotRepeat()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => CommentIds.New(7)).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("c1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("xAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("cAAAAAAAAAAAAAAAAAAAA!!")]
    public void OtherStrings_CarryNoSequenceNumber(string id) => Assert.False(CommentIds.TrySeqOf(id, out _));
}
