using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using IWouldArgue.Testing;
using Xunit.Abstractions;
using static IWouldArgue.Attachments.Tests.AttachmentsHost;

namespace IWouldArgue.Attachments.Tests;

/// <summary>Tests that measure the process's memory or the pace of a stream, so they run alone, after the tests that run in parallel.</summary>
[CollectionDefinition(nameof(MeasuredAlone), DisableParallelization = true)]
public sealed class MeasuredAlone;

/// <summary>A 30 MB upload and download keep memory flat (no whole-file buffers anywhere on the way).</summary>
[Collection(nameof(MeasuredAlone))]
public sealed class MemoryTests(ITestOutputHelper output) : LiveDiscussionTest
{
    private const long ThirtyMiB = 30L * 1024 * 1024;
    private static readonly byte[] Png = GeneratedFileStream.PngSignature;

    [Fact]
    public async Task A30MBFile_GoesUpAndComesBackIdentical_WithFlatMemory()
    {
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                using var self = Process.GetCurrentProcess();
                peak = Math.Max(peak, self.WorkingSet64);
                await Task.Delay(5);
            }
        });

        using var uploaded = await UploadAsync("speaker", "big.png", new GeneratedPngStream(ThirtyMiB), ThirtyMiB);
        await sampling.CancelAsync();
        await sampler;
        var attachment = await AttachmentsHost.JsonOf(uploaded);
        using var download = await Host.Web.SendAsync(Request(HttpMethod.Get, attachment.GetProperty("downloadPath").GetString()!, "listener"), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await download.Content.ReadAsStreamAsync();
        var downloaded = Convert.ToHexStringLower(await SHA256.HashDataAsync(body));

        var growth = (peak - baseline) / (1024.0 * 1024.0);
        output.WriteLine($"Working set growth while uploading 30 MiB (client and server in this process): {growth:F1} MiB");
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        Assert.Equal(GeneratedPngStream.Sha256Of(ThirtyMiB), downloaded);
        Assert.Equal(downloaded, attachment.GetProperty("sha256").GetString());
        Assert.Equal("image/png", attachment.GetProperty("mediaType").GetString());
        Assert.True(growth < 10, $"memory grew {growth:F1} MiB during the upload");
    }

}
