using Grpc.Net.Client;
using IWouldArgue.Archive;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;

namespace IWouldArgue.Attachments.Tests;

/// <summary>Discussions, Attachments and Archive as the embedded default wires them, on loopback: gRPC on HTTP/2, uploads on HTTP/1.1.</summary>
public sealed class AttachmentsHost : IAsyncDisposable
{
    private readonly ServiceTestHost _host;

    private AttachmentsHost(ServiceTestHost host)
    {
        _host = host;
        Channel = GrpcChannel.ForAddress(host.GrpcAddress);
        Discussions = new DiscussionsService.DiscussionsServiceClient(Channel);
        Attachments = new AttachmentsService.AttachmentsServiceClient(Channel);
        Archive = new ArchiveService.ArchiveServiceClient(Channel);
        Web = new HttpClient { BaseAddress = host.WebAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public string BlobFolder => Path.Combine(_host.Folder, "blobs");

    /// <summary>This host's own folder (deleted with it).</summary>
    public string Folder => _host.Folder;

    public GrpcChannel Channel { get; }

    public DiscussionsService.DiscussionsServiceClient Discussions { get; }

    public AttachmentsService.AttachmentsServiceClient Attachments { get; }

    public ArchiveService.ArchiveServiceClient Archive { get; }

    public IServiceProvider Services => _host.Services;

    public HttpClient Web { get; }

    public static async Task<AttachmentsHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Discussions:ConnectionString"] = "Data Source={folder}/discussions.db",
            ["Attachments:StoragePath"] = "{folder}/blobs",
            ["Auth:TrustCallerHeaders"] = "true",
            ["Kestrel:Limits:MaxRequestBodySize"] = "16777216",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        return new AttachmentsHost(await ServiceTestHost.StartAsync(all,
            (services, configuration) =>
            {
                services.AddDiscussions(configuration);
                services.AddAttachments(configuration);
                services.AddArchive(configuration);
            },
            app =>
            {
                app.MapDiscussions();
                app.MapAttachments();
                app.MapArchive();
            },
            "iwouldargue-files-"));
    }

    public static CallOptions As(string userId) =>
        new(new Metadata { { "iwouldargue-user-id", userId }, { "iwouldargue-user-name", userId } });

    /// <summary>A live discussion hosted by "host" with "speaker" (participant) and "listener" (attendee).</summary>
    public async Task<string> LiveDiscussionAsync()
    {
        var created = (await Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Files" }, As("host"))).Discussion;
        await Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("host"));
        foreach (var user in new[] { "speaker", "listener" })
        {
            await Discussions.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, As(user));
        }
        await Discussions.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = created.DiscussionId, UserId = "speaker", Role = Role.Participant }, As("host"));
        return created.DiscussionId;
    }

    /// <summary>
    /// Uploads a file over HTTP as <paramref name="user"/>, streamed from <paramref name="content"/>, with
    /// <c>Expect: 100-continue</c> as curl sends for large bodies (the server may refuse before a byte is sent).
    /// </summary>
    public async Task<HttpResponseMessage> UploadAsync(string discussionId, string user, string name, Stream content, long? length = null)
    {
        var body = new StreamContent(content, 64 * 1024);
        if (length is { } size)
        {
            body.Headers.ContentLength = size;
        }
        using var request = Request(HttpMethod.Post, $"/attachments/{discussionId}?name={Uri.EscapeDataString(name)}", user, body);
        request.Headers.ExpectContinue = true;
        return await Web.SendAsync(request);
    }

    /// <summary>The JSON body of a response.</summary>
    public static async Task<System.Text.Json.JsonElement> JsonOf(HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>An HTTP request as <paramref name="userId"/>.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string userId, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("iwouldargue-user-id", userId);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Web.Dispose();
        Channel.Dispose();
        await _host.DisposeAsync();
    }
}
