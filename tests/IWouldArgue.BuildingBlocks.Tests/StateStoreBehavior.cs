using System.Text;

namespace IWouldArgue.BuildingBlocks.Tests;

/// <summary>What every state store adapter must do; each adapter's test class runs these.</summary>
public abstract class StateStoreBehavior
{
    protected abstract Task<IStateStore> StoreAsync();

    [Fact]
    public async Task Save_ThenGet_ReturnsTheValueAndAnETag()
    {
        var store = await StoreAsync();

        Assert.True(await store.TrySaveAsync("hands:d1", Bytes("alice")));
        var entry = await store.GetAsync("hands:d1");

        Assert.NotNull(entry);
        Assert.Equal("alice", Text(entry.Value));
        Assert.False(string.IsNullOrEmpty(entry.ETag));
    }

    [Fact]
    public async Task Get_MissingKey_IsNull()
    {
        Assert.Null(await (await StoreAsync()).GetAsync("nothing-here"));
    }

    [Fact]
    public async Task Save_WithTheCurrentETag_Succeeds_AndChangesTheETag()
    {
        var store = await StoreAsync();
        await store.TrySaveAsync("k", Bytes("v1"));
        var first = (await store.GetAsync("k"))!;

        Assert.True(await store.TrySaveAsync("k", Bytes("v2"), first.ETag));
        var second = (await store.GetAsync("k"))!;

        Assert.Equal("v2", Text(second.Value));
        Assert.NotEqual(first.ETag, second.ETag);
    }

    [Fact]
    public async Task Save_WithAStaleETag_IsRefused_AndTheValueStays()
    {
        var store = await StoreAsync();
        await store.TrySaveAsync("k", Bytes("v1"));
        var stale = (await store.GetAsync("k"))!.ETag;
        await store.TrySaveAsync("k", Bytes("v2"));

        Assert.False(await store.TrySaveAsync("k", Bytes("lost update"), stale));
        Assert.Equal("v2", Text((await store.GetAsync("k"))!.Value));
    }

    [Fact]
    public async Task Delete_WithAStaleETag_IsRefused_WithTheCurrentOne_Removes()
    {
        var store = await StoreAsync();
        await store.TrySaveAsync("k", Bytes("v1"));
        var stale = (await store.GetAsync("k"))!.ETag;
        await store.TrySaveAsync("k", Bytes("v2"));
        var current = (await store.GetAsync("k"))!.ETag;

        Assert.False(await store.TryDeleteAsync("k", stale));
        Assert.True(await store.TryDeleteAsync("k", current));
        Assert.Null(await store.GetAsync("k"));
    }

    [Fact]
    public async Task ConcurrentReadModifyWrite_WithETags_LosesNoUpdate()
    {
        var store = await StoreAsync();
        await store.TrySaveAsync("counter", Bytes("0"));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                while (true)
                {
                    var entry = (await store.GetAsync("counter"))!;
                    var next = int.Parse(Text(entry.Value), System.Globalization.CultureInfo.InvariantCulture) + 1;
                    if (await store.TrySaveAsync("counter", Bytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), entry.ETag))
                    {
                        break;
                    }
                }
            }
        })));

        Assert.Equal("120", Text((await store.GetAsync("counter"))!.Value));
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
