using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static IWouldArgue.Attachments.Tests.AttachmentsHost;

namespace IWouldArgue.Attachments.Tests;

/// <summary>Files shared in a discussion, end to end over real HTTP and gRPC.</summary>
public sealed class UploadDownloadTests : LiveDiscussionTest
{
    private const long ThirtyMiB = 30L * 1024 * 1024;
    private static readonly byte[] Png = GeneratedFileStream.PngSignature;

    [Fact]
    public async Task OneByteOver30MB_IsRefused_BeforeTheBodyIsRead_OrAsSoonAsItPassesTheLimit()
    {
        var declared = new GeneratedPngStream(ThirtyMiB + 1);
        using var early = await UploadAsync("speaker", "big.png", declared, ThirtyMiB + 1);
        using var chunked = await UploadAsync("speaker", "big.png", new GeneratedPngStream(ThirtyMiB + 1));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, early.StatusCode);
        Assert.True(declared.Position < 1024 * 1024, $"the client sent {declared.Position} bytes before the refusal");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Contains("larger than 30 MB", (await AttachmentsHost.JsonOf(chunked)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Host.BlobFolder, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0 }, "photo.png")] // an ELF executable
    [InlineData(new byte[] { 0x4D, 0x5A, 0x90, 0x00, 3, 0, 0, 0 }, "report.pdf")] // a Windows executable
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0 }, "notes.docx")] // a zip that is no document
    public async Task ARenamedExecutableOrArchive_IsRefused_AndNothingIsKept(byte[] head, string name)
    {
        using var response = await UploadAsync("speaker", name, new GeneratedFileStream(head, 4096));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cannot be shared", (await AttachmentsHost.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Host.BlobFolder, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ARealWordDocument_AndMarkdown_AreAccepted()
    {
        var docx = new MemoryStream();
        using (var zip = new ZipArchive(docx, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var part in new[] { "[Content_Types].xml", "word/document.xml" })
            {
                await using var entry = zip.CreateEntry(part).Open();
                await entry.WriteAsync("<xml/>"u8.ToArray());
            }
        }
        docx.Position = 0;

        using var word = await UploadAsync("host", "minutes.docx", docx);
        using var markdown = await UploadAsync("host", "agenda.md", new MemoryStream("# Agenda\n\n- tea\n- coffee\n"u8.ToArray()));

        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (await AttachmentsHost.JsonOf(word)).GetProperty("mediaType").GetString());
        Assert.Equal("text/markdown", (await AttachmentsHost.JsonOf(markdown)).GetProperty("mediaType").GetString());
    }

    [Fact]
    public async Task ARangeRequest_ReturnsThoseBytes()
    {
        using var uploaded = await UploadAsync("speaker", "image.png", new GeneratedPngStream(10_000));
        var path = (await AttachmentsHost.JsonOf(uploaded)).GetProperty("downloadPath").GetString()!;
        using var request = Request(HttpMethod.Get, path, "listener");
        request.Headers.Range = new RangeHeaderValue(100, 199);

        using var response = await Host.Web.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        var expected = new byte[10_000];
        new GeneratedPngStream(10_000).ReadExactly(expected);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 100-199/10000", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(expected[100..200], bytes);
    }

    [Fact]
    public async Task Downloads_AreLabelledSafely()
    {
        using var image = await UploadAsync("speaker", "cat\r\nSet-Cookie: x=1 \"quoted\".png", new GeneratedPngStream(2048));
        using var pdf = await UploadAsync("speaker", "slides ünïcode.pdf", new MemoryStream("%PDF-1.7\n%fake but starts right\n"u8.ToArray()));

        using var imageDownload = await Host.Web.SendAsync(Request(HttpMethod.Get, (await AttachmentsHost.JsonOf(image)).GetProperty("downloadPath").GetString()!, "listener"));
        using var pdfDownload = await Host.Web.SendAsync(Request(HttpMethod.Get, (await AttachmentsHost.JsonOf(pdf)).GetProperty("downloadPath").GetString()!, "listener"));

        var imageDisposition = imageDownload.Content.Headers.ContentDisposition!;
        Assert.Equal("inline", imageDisposition.DispositionType);
        Assert.DoesNotContain(imageDownload.Headers, h => h.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain('\n', imageDisposition.ToString());
        Assert.Equal("attachment", pdfDownload.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("slides ünïcode.pdf", pdfDownload.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal("nosniff", pdfDownload.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("application/pdf", pdfDownload.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task AFileNameThatDisguisesItself_LosesWhatHidesOrTurnsIt()
    {
        // Shown as "holidayexe.png" by a right-to-left override; a zero-width space and a BOM hide in it too.
        using var upload = await UploadAsync("speaker", "holiday\u200B\uFEFF\u202Egnp.exe", new GeneratedPngStream(2048));

        Assert.Equal(System.Net.HttpStatusCode.Created, upload.StatusCode);
        // What is left names an .exe, so the image is stored under a name that says what it is.
        Assert.Equal("holidaygnp.exe.png", (await AttachmentsHost.JsonOf(upload)).GetProperty("fileName").GetString());
    }

    [Theory]
    [InlineData("update.bat", "@echo off\r\ndel /q C:\\Users\\*\r\n", "update.bat.txt")]
    [InlineData("invoice.hta", "<html><script>new ActiveXObject('WScript.Shell').Run('calc')</script></html>", "invoice.hta.txt")]
    [InlineData("pic.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>", "pic.svg.txt")]
    [InlineData("notes.md", "# Notes\n\nplain", "notes.md")]
    public async Task AScriptSharedAsText_IsStoredAndServedAsText_UnderATextName(string name, string text, string storedAs)
    {
        using var upload = await UploadAsync("speaker", name, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));
        var attachment = await AttachmentsHost.JsonOf(upload);
        using var download = await Host.Web.SendAsync(Request(HttpMethod.Get, attachment.GetProperty("downloadPath").GetString()!, "listener"));

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal(storedAs, attachment.GetProperty("fileName").GetString());
        Assert.StartsWith("text/", download.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal(storedAs, download.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task AnHtmlPageBehindAPngSignature_IsRefused()
    {
        var disguised = GeneratedFileStream.PngSignature.Concat("<html><script>alert(document.cookie)</script></html>"u8.ToArray()).ToArray();

        using var upload = await UploadAsync("speaker", "cute.html", new MemoryStream(disguised));

        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Contains("cannot be shared", (await AttachmentsHost.JsonOf(upload)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jpeg", "panorama.jpg")]
    [InlineData("gif", "banner.gif")]
    [InlineData("webp-extended", "poster.webp")]
    public async Task ASmallImageDeclaringAHugeCanvas_IsRefused(string format, string name)
    {
        // 48 to 60 bytes declaring 20,000 x 20,000 pixels: 1.6 GB of bitmap in the browser of everyone who opens it.
        using var upload = await UploadAsync("speaker", name, new MemoryStream(TestImages.Of(format, 20_000, 20_000)));

        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Contains("cannot be shared", (await AttachmentsHost.JsonOf(upload)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("word/embeddings/payload.exe")]
    [InlineData("word/vbaProject.bin")]
    [InlineData("word/embeddings/oleObject1.bin")]
    [InlineData("word/activeX/activeX1.xml")]
    public async Task ADocumentCarryingAProgramOrMacros_IsRefused(string part)
    {
        using var refused = await UploadAsync("speaker", "report.docx", Docx(part));
        using var plain = await UploadAsync("speaker", "report", Docx(null));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);
        Assert.Equal("report.docx", (await AttachmentsHost.JsonOf(plain)).GetProperty("fileName").GetString());
    }

    private static MemoryStream Docx(string? extraPart)
    {
        var bytes = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(bytes, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var part in new[] { "[Content_Types].xml", "word/document.xml", extraPart }.OfType<string>())
            {
                using var writer = new StreamWriter(zip.CreateEntry(part).Open());
                writer.Write(part.EndsWith(".xml", StringComparison.Ordinal) ? "<?xml version=\"1.0\"?><x/>" : "MZ\u0090 not really a program");
            }
        }
        bytes.Position = 0;
        return bytes;
    }

    [Fact]
    public async Task AnUploadCutOffHalfway_LeavesNothingBehind()
    {
        var failing = new GeneratedPngStream(ThirtyMiB, failAfter: 5L * 1024 * 1024);

        await Assert.ThrowsAnyAsync<Exception>(() => UploadAsync("speaker", "cut.png", failing, ThirtyMiB));
        var until = DateTime.UtcNow.AddSeconds(10);
        while (Directory.EnumerateFiles(Host.BlobFolder, "*", SearchOption.AllDirectories).Any() && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.Empty(Directory.EnumerateFiles(Host.BlobFolder, "*", SearchOption.AllDirectories));
        Assert.Empty((await Host.Attachments.ListAttachmentsAsync(new ListAttachmentsRequest { DiscussionId = DiscussionId }, As("host"))).Attachments);
    }

    [Fact]
    public async Task WhenTheDiskFailsUnderAnUpload_TheAnswerIs500InASentence_AndNothingIsListed()
    {
        Directory.Delete(Path.Combine(Host.BlobFolder, "tmp"), recursive: true);

        using var failed = await UploadAsync("speaker", "diagram.png", new GeneratedPngStream(10_000));

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("Something went wrong on our side; try again shortly.", (await JsonOf(failed)).GetProperty("error").GetString());
        Assert.Empty((await Host.Attachments.ListAttachmentsAsync(new ListAttachmentsRequest { DiscussionId = DiscussionId }, As("host"))).Attachments);
    }

    [Fact]
    public async Task SharingReachesTheEventLog_ListenersMayDownloadButNotShare()
    {
        using var shared = await UploadAsync("host", "notes.txt", new MemoryStream("plain notes\n"u8.ToArray()));
        using var refused = await UploadAsync("listener", "mine.txt", new MemoryStream("let me\n"u8.ToArray()));
        var events = await Host.Discussions.ListEventsAsync(new ListEventsRequest { DiscussionId = DiscussionId }, As("listener"));
        var listed = await Host.Attachments.ListAttachmentsAsync(new ListAttachmentsRequest { DiscussionId = DiscussionId }, As("listener"));

        Assert.Equal(HttpStatusCode.Created, shared.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var added = Assert.Single(events.Events, e => e.AttachmentAdded is not null).AttachmentAdded.Attachment;
        Assert.Equal("notes.txt", added.FileName);
        Assert.Equal("text/plain", Assert.Single(listed.Attachments).MediaType);
    }

    [Fact]
    public async Task ADiscussionsQuota_IsEnforced()
    {
        await using var small = await AttachmentsHost.StartAsync(new Dictionary<string, string?> { ["Attachments:QuotaBytesPerDiscussion"] = "50000", ["Attachments:MaxBytes"] = "40000" });
        var id = await small.LiveDiscussionAsync();
        async Task<HttpStatusCode> Share(string name)
        {
            using var response = await small.Web.SendAsync(Request(HttpMethod.Post, $"/attachments/{id}?name={name}", "host", new StreamContent(new GeneratedPngStream(30_000))));
            return response.StatusCode;
        }

        var first = await Share("a.png");
        var second = await Share("b.png");

        Assert.Equal(HttpStatusCode.Created, first);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, second);
    }

    [Fact]
    public async Task Integrators_UploadAndDownloadOverGrpcStreams()
    {
        using var call = Host.Attachments.UploadAttachment(As("speaker"));
        await call.RequestStream.WriteAsync(new UploadAttachmentRequest { Metadata = new UploadMetadata { DiscussionId = DiscussionId, FileName = "chart.png", DeclaredSizeBytes = 300_000 } });
        using (var source = new GeneratedPngStream(300_000))
        {
            var chunk = new byte[32 * 1024];
            int read;
            while ((read = await source.ReadAsync(chunk)) > 0)
            {
                await call.RequestStream.WriteAsync(new UploadAttachmentRequest { Chunk = Google.Protobuf.ByteString.CopyFrom(chunk, 0, read) });
            }
        }
        await call.RequestStream.CompleteAsync();
        var attachment = (await call).Attachment;

        using var download = Host.Attachments.DownloadAttachment(new DownloadAttachmentRequest { DiscussionId = DiscussionId, AttachmentId = attachment.AttachmentId, Offset = 8 }, As("listener"));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Png);
        await foreach (var part in download.ResponseStream.ReadAllAsync())
        {
            hash.AppendData(part.Chunk.Span);
        }

        Assert.Equal(GeneratedPngStream.Sha256Of(300_000), attachment.Sha256);
        Assert.Equal(attachment.Sha256, Convert.ToHexStringLower(hash.GetHashAndReset()));
        var removed = await Host.Attachments.DeleteAttachmentAsync(new DeleteAttachmentRequest { DiscussionId = DiscussionId, AttachmentId = attachment.AttachmentId }, As("host"));
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await Host.Attachments.GetAttachmentAsync(new GetAttachmentRequest { DiscussionId = DiscussionId, AttachmentId = attachment.AttachmentId }, As("listener")));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain(Directory.EnumerateFiles(Host.BlobFolder, "*", SearchOption.AllDirectories), f => !f.Contains("/tmp/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BytesSharedByTwoFiles_StayUntilBothAreTakenDown()
    {
        using var first = await UploadAsync("speaker", "a.png", new GeneratedPngStream(10_000));
        using var second = await UploadAsync("host", "same-bytes.png", new GeneratedPngStream(10_000));
        var (a, b) = (Attachment.Parser.ParseJson(await first.Content.ReadAsStringAsync()), Attachment.Parser.ParseJson(await second.Content.ReadAsStringAsync()));

        await Host.Attachments.DeleteAttachmentAsync(new DeleteAttachmentRequest { DiscussionId = DiscussionId, AttachmentId = a.AttachmentId }, As("host"));
        using var stillThere = await Host.Web.SendAsync(Request(HttpMethod.Get, b.DownloadPath, "listener"));
        await Host.Attachments.DeleteAttachmentAsync(new DeleteAttachmentRequest { DiscussionId = DiscussionId, AttachmentId = b.AttachmentId }, As("host"));

        Assert.Equal(a.Sha256, b.Sha256);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(10_000, (await stillThere.Content.ReadAsByteArrayAsync()).Length);
        Assert.DoesNotContain(Directory.EnumerateFiles(Host.BlobFolder, "*", SearchOption.AllDirectories), f => !f.Contains("/tmp/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BytesNoFileRefersTo_AreSwept_OnlyOnceOlderThanTheGrace()
    {
        await using var host = await AttachmentsHost.StartAsync(new Dictionary<string, string?> { ["Attachments:SweepGrace"] = "00:00:01" });
        var id = await host.LiveDiscussionAsync();
        using var shared = await host.UploadAsync(id, "host", "kept.png", new GeneratedPngStream(5_000));
        // Bytes committed with no file recorded for them: what a crash between the two leaves.
        var blobs = host.Services.GetRequiredService<IBlobStore>();
        string orphan;
        await using (var upload = await blobs.BeginAsync(CancellationToken.None))
        {
            (_, orphan) = await upload.ReceiveAsync(new GeneratedPngStream(7_000), long.MaxValue, CancellationToken.None);
            await upload.CommitAsync(CancellationToken.None);
        }
        var collector = host.Services.GetRequiredService<BlobCollector>();

        var young = await collector.SweepAsync(CancellationToken.None);
        await Task.Delay(1200);
        var old = await collector.SweepAsync(CancellationToken.None);

        Assert.Equal(HttpStatusCode.Created, shared.StatusCode);
        Assert.Equal(0, young);
        Assert.Equal(1, old);
        Assert.Null(await blobs.OpenReadAsync(orphan, CancellationToken.None));
        var kept = Attachment.Parser.ParseJson(await shared.Content.ReadAsStringAsync());
        await using var content = await blobs.OpenReadAsync(kept.Sha256, CancellationToken.None);
        Assert.NotNull(content);
    }
}
