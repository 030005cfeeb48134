namespace IWouldArgue.Discussions.Tests;

public class IdTests
{
    [Fact]
    public void CommentIds_SortInTimeOrder_AreUrlSafe_AndDoNotRepeat()
    {
        var start = DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var ids = Enumerable.Range(0, 5000).Select(i => InviteCodes.NewTimeOrderedId(start.AddMilliseconds(i / 5 * 7))).ToList();

        var byTime = ids.Select((id, i) => (id, ms: i / 5 * 7)).GroupBy(x => x.ms).Select(g => g.Select(x => x.id).ToList()).ToList();
        for (var i = 1; i < byTime.Count; i++)
        {
            Assert.True(string.CompareOrdinal(byTime[i - 1].Max(StringComparer.Ordinal), byTime[i].Min(StringComparer.Ordinal)) < 0, $"ids of ms {i - 1} sort after ids of ms {i}");
        }
        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{22}$", id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void CommentIds_SortAcrossYears_AsTheirTimes()
    {
        var times = new[] { "1999-01-01T00:00:00Z", "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.001Z", "2100-06-30T23:59:59Z" }
            .Select(t => DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var ids = times.Select(InviteCodes.NewTimeOrderedId).ToList();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }
}
