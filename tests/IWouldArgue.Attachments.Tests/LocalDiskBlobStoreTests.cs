using System.IO.Pipelines;
using System.Security.Cryptography;
using IWouldArgue.Attachments.Blobs;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Attachments.Tests;

/// <summary>The local-disk store when more than one instance uses the same folder.</summary>
public sealed class LocalDiskBlobStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iwouldargue-blobs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private LocalDiskBlobStore Store() => new(Options.Create(new AttachmentOptions { StoragePath = _folder }));

    [Fact]
    public async Task AnUploadInProgress_SurvivesAnotherInstanceStartingOnTheSameFolder()
    {
        var first = Store();
        var content = RandomNumberGenerator.GetBytes(200_000);
        var pipe = new Pipe();
        await using var upload = await first.BeginAsync(CancellationToken.None);
        var receiving = upload.ReceiveAsync(pipe.Reader.AsStream(), 1 << 20, CancellationToken.None);
        await pipe.Writer.WriteAsync(content.AsMemory(0, 100_000));
        while (!File.Exists(upload.TempPath) || new FileInfo(upload.TempPath).Length == 0)
        {
            await Task.Delay(10);
        }

        var second = Store();
        await pipe.Writer.WriteAsync(content.AsMemory(100_000));
        await pipe.Writer.CompleteAsync();
        var (size, sha256) = await receiving;
        await upload.CommitAsync(CancellationToken.None);

        Assert.Equal(content.Length, size);
        await using var stored = await second.OpenReadAsync(sha256, CancellationToken.None);
        using var copy = new MemoryStream();
        await stored!.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public void AtStart_OnlyLeftoversUntouchedForAnHour_AreRemoved()
    {
        Store();
        var temp = Path.Combine(_folder, "tmp");
        var crashed = Path.Combine(temp, "crashed-yesterday");
        var recent = Path.Combine(temp, "still-being-written");
        File.WriteAllBytes(crashed, [1, 2, 3]);
        File.WriteAllBytes(recent, [4, 5, 6]);
        File.SetLastWriteTimeUtc(crashed, DateTime.UtcNow.AddHours(-1).AddMinutes(-1));

        Store();

        Assert.False(File.Exists(crashed));
        Assert.True(File.Exists(recent));
    }
}
