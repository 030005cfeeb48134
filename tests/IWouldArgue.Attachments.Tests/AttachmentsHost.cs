using IWouldArgue.Archive;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Rpc;
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
        Channel = RpcChannel.ForAddress(host.GrpcAddress);
        Discussions = new DiscussionsService.Client(Channel);
        Attachments = new AttachmentsService.Client(Channel);
        Archive = new ArchiveService.Client(Channel);
        Web = new HttpClient { BaseAddress = host.WebAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public string BlobFolder => Path.Combine(_host.Folder, "blobs");

    public RpcChannel Channel { get; }

    public DiscussionsService.Client Discussions { get; }

    public AttachmentsService.Client Attachments { get; }

    public ArchiveService.Client Archive { get; }

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

/// <summary>
/// A stream of <paramref name="length"/> bytes made on the fly (a file's magic bytes, then a repeating
/// pattern), so tests upload large files without holding them; it can fail part-way, like a dropped client.
/// </summary>
public sealed class GeneratedFileStream(byte[] head, long length, long failAfter = long.MaxValue) : Stream
{
    private long _position;

    /// <summary>The eight bytes every PNG file starts with.</summary>
    public static byte[] PngSignature { get; } = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= failAfter)
        {
            throw new IOException("The client went away.");
        }
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
        {
            var at = _position + i;
            buffer[i] = at < head.Length ? head[at] : (byte)(at * 31 % 251);
        }
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>The SHA-256 of the same bytes, computed by reading another copy.</summary>
    public static string Sha256Of(byte[] head, long length)
    {
        using var copy = new GeneratedFileStream(head, length);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(copy));
    }
}
