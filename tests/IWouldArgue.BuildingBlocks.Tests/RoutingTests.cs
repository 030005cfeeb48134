using IWouldArgue.BuildingBlocks.InProcess;
using IWouldArgue.BuildingBlocks.Routing;
using IWouldArgue.Testing;

namespace IWouldArgue.BuildingBlocks.Tests;

public class RoutingTests
{
    [Fact]
    public void Rendezvous_SpreadsKeys_AndMovesOnlyTheKeysOfARemovedCandidate()
    {
        var three = new[] { "live-a", "live-b", "live-c" };
        var keys = Enumerable.Range(0, 3000).Select(i => $"discussion-{i}").ToList();
        var before = keys.ToDictionary(k => k, k => Rendezvous.Pick(k, three));

        var counts = before.Values.GroupBy(v => v).ToDictionary(g => g.Key!, g => g.Count());
        Assert.All(three, c => Assert.InRange(counts[c], 800, 1200));
        var after = keys.ToDictionary(k => k, k => Rendezvous.Pick(k, ["live-a", "live-c"]));
        Assert.All(keys.Where(k => before[k] != "live-b"), k => Assert.Equal(before[k], after[k]));
        Assert.All(keys, k => Assert.Equal(before[k], Rendezvous.Pick(k, three.Reverse())));
        Assert.Null(Rendezvous.Pick("discussion-1", []));
    }

    [Fact]
    public async Task ExpiringSet_KeepsConcurrentMembers_AndDropsThoseThatStopRenewing()
    {
        var clock = new ManualClock();
        var set = new ExpiringSet(new InProcessStateStore(clock), clock, "live-instances");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => set.UpsertAsync($"i{i}", $"http://10.0.0.{i}", TimeSpan.FromSeconds(15))));
        Assert.Equal(20, (await set.ReadAsync()).Count);

        clock.Advance(TimeSpan.FromSeconds(10));
        await set.UpsertAsync("i0", "http://10.0.0.100", TimeSpan.FromSeconds(15));
        await set.RemoveAsync("i1");
        clock.Advance(TimeSpan.FromSeconds(10));

        var left = await set.ReadAsync();
        Assert.Equal("http://10.0.0.100", Assert.Single(left).Value);
    }
}
