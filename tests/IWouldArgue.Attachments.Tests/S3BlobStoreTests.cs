using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Media;
using IWouldArgue.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static IWouldArgue.Attachments.Tests.AttachmentsHost;

namespace IWouldArgue.Attachments.Tests;

/// <summary>
/// The S3 adapter against s3rver (an S3-compatible server from npm that keeps objects on local disk) — not
/// against AWS S3 itself, which cannot be reached from here.
/// </summary>
public sealed class S3BlobStoreTests : IAsyncLifetime
{
    private const string Bucket = "attachments";
    private static readonly byte[] Png = GeneratedFileStream.PngSignature;
    private readonly string _data = Directory.CreateTempSubdirectory("iwouldargue-s3rver-").FullName;
    private NodeProcess _s3rver = null!;
    private int _port;

    private S3Options Options => new() { ServiceUrl = new Uri($"http://127.0.0.1:{_port}"), Bucket = Bucket, AccessKey = "S3RVER", SecretKey = "S3RVER" };

    public async Task InitializeAsync()
    {
        _port = LoopbackPorts.Free();
        _s3rver = NodeProcess.Start("node_modules/.bin/s3rver", ["-d", Path.Combine(_data, "s3"), "-a", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s", "--configure-bucket", Bucket]);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, _port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        _s3rver.Dispose();
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    private S3BlobStore Store(out IDisposable client)
    {
        var s3 = S3BlobStore.CreateClient(Options);
        client = s3;
        return new S3BlobStore(s3, Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(new AttachmentOptions { StoragePath = Path.Combine(_data, "local") }));
    }

    [Fact]
    public async Task ALargeFile_GoesUpInParts_AndReadsBackWhole_AndByRange()
    {
        var store = Store(out var client);
        using var owned = client;
        const long size = 20L * 1024 * 1024;
        string sha;
        await using (var upload = await store.BeginAsync(CancellationToken.None))
        {
            (_, sha) = await upload.ReceiveAsync(new GeneratedPngStream(size), 30L * 1024 * 1024, CancellationToken.None);
            await upload.CommitAsync(CancellationToken.None);
        }

        await using var whole = (await store.OpenReadAsync(sha, CancellationToken.None))!;
        var read = Convert.ToHexStringLower(await SHA256.HashDataAsync(whole));
        await using var ranged = (await store.OpenReadAsync(sha, CancellationToken.None))!;
        ranged.Seek(12_345_678, SeekOrigin.Begin);
        var part = new byte[100];
        await ranged.ReadExactlyAsync(part);

        var expected = new byte[100];
        var source = new GeneratedPngStream(size);
        source.ReadExactly(new byte[12_345_678]);
        source.ReadExactly(expected);
        Assert.Equal(GeneratedPngStream.Sha256Of(size), sha);
        Assert.Equal(sha, read);
        Assert.Equal(size, whole.Length);
        Assert.Equal(expected, part);
    }

    [Fact]
    public async Task StoredObjects_AreListedByWhenTheyWereWritten()
    {
        var store = Store(out var client);
        using var owned = client;
        string sha;
        await using (var upload = await store.BeginAsync(CancellationToken.None))
        {
            (_, sha) = await upload.ReceiveAsync(new GeneratedPngStream(2048), 30L * 1024 * 1024, CancellationToken.None);
            await upload.CommitAsync(CancellationToken.None);
        }

        var beforeNow = await store.ListWrittenBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(-5), CancellationToken.None).ToListAsync();
        var beforeLater = await store.ListWrittenBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None).ToListAsync();

        Assert.DoesNotContain(sha, beforeNow);
        Assert.Contains(sha, beforeLater);
    }

    [Fact]
    public async Task AnUploadNeverCommitted_LeavesNoObjectAndNoTempFile()
    {
        var store = Store(out var client);
        using var owned = client;
        string sha;
        await using (var upload = await store.BeginAsync(CancellationToken.None))
        {
            (_, sha) = await upload.ReceiveAsync(new GeneratedPngStream(1024 * 1024), 30L * 1024 * 1024, CancellationToken.None);
        }

        Assert.Null(await store.OpenReadAsync(sha, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_data, "local"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task TheServiceOnS3_SharesAndServesFiles_WithRanges()
    {
        await using var host = await AttachmentsHost.StartAsync(new Dictionary<string, string?>
        {
            ["Attachments:S3:ServiceUrl"] = Options.ServiceUrl!.ToString(),
            ["Attachments:S3:Bucket"] = Bucket,
            ["Attachments:S3:AccessKey"] = "S3RVER",
            ["Attachments:S3:SecretKey"] = "S3RVER",
        });
        var id = await host.LiveDiscussionAsync();
        using var upload = await host.Web.SendAsync(Request(HttpMethod.Post, $"/attachments/{id}?name=photo.png", "host", new StreamContent(new GeneratedPngStream(50_000))));
        var path = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("downloadPath").GetString()!;
        using var request = Request(HttpMethod.Get, path, "listener");
        request.Headers.Range = new RangeHeaderValue(40_000, 40_009);

        using var response = await host.Web.SendAsync(request);

        var expected = new byte[50_000];
        new GeneratedPngStream(50_000).ReadExactly(expected);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(expected[40_000..40_010], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ARecordingTheEgressWroteToTheBucket_ReadsBackByRange_AndIsDeleted()
    {
        using var s3 = S3BlobStore.CreateClient(Options);
        var files = new RecordingFiles(
            Microsoft.Extensions.Options.Options.Create(new MediaOptions { RecordTo = RecordingStorage.S3 }),
            Microsoft.Extensions.Options.Options.Create(Options),
            new ServiceCollection().AddSingleton(s3).BuildServiceProvider());
        var (file, output) = files.Target("d_recorded", DateTimeOffset.UnixEpoch);
        var audio = RandomNumberGenerator.GetBytes(300_000);
        // Where LiveKit's egress worker puts the file: the bucket and key it was given in the file output.
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = output["s3"]!["bucket"]!.GetValue<string>(),
            Key = output["filepath"]!.GetValue<string>(),
            InputStream = new MemoryStream(audio),
            UseChunkEncoding = false, // s3rver would keep aws-chunked signatures as part of the object
        });

        byte[] part = new byte[1000];
        await using (var stream = (await files.OpenAsync(file, CancellationToken.None))!)
        {
            stream.Seek(250_000, SeekOrigin.Begin);
            await stream.ReadExactlyAsync(part);
        }
        await files.DeleteAsync(file, CancellationToken.None);

        Assert.Equal($"s3://{Bucket}/recordings/d_recorded-19700101T000000Z.ogg", file);
        Assert.Equal(audio[250_000..251_000], part);
        Assert.Null(await files.OpenAsync(file, CancellationToken.None));
    }
}
