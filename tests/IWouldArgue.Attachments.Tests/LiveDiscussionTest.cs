namespace IWouldArgue.Attachments.Tests;

/// <summary>
/// A test with its own Discussions + Attachments + Archive host (<paramref name="settings"/> added to the
/// defaults) and a live discussion in it, hosted by "host" with "speaker" and "listener".
/// </summary>
public abstract class LiveDiscussionTest(IDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    protected AttachmentsHost Host { get; private set; } = null!;

    protected string DiscussionId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Host = await AttachmentsHost.StartAsync(settings);
        DiscussionId = await Host.LiveDiscussionAsync();
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Uploads a file to the discussion as <paramref name="user"/> over HTTP.</summary>
    protected Task<HttpResponseMessage> UploadAsync(string user, string name, Stream content, long? length = null) =>
        Host.UploadAsync(DiscussionId, user, name, content, length);
}
