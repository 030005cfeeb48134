namespace IWouldArgue.Media.Tests;

/// <summary>A test with the LiveKit stand-in, a Discussions + Media host talking to it, and a live discussion.</summary>
public abstract class LiveDiscussionTest : IAsyncLifetime
{
    protected LiveKitStandIn LiveKit { get; private set; } = null!;

    protected MediaHost Host { get; private set; } = null!;

    protected string DiscussionId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        LiveKit = await LiveKitStandIn.StartAsync();
        Host = await MediaHost.StartAsync(LiveKit);
        DiscussionId = await Host.LiveDiscussionAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await LiveKit.DisposeAsync();
    }
}
