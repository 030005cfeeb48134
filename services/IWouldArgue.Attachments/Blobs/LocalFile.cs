using System.Buffers;
using System.Security.Cryptography;

namespace IWouldArgue.Attachments.Blobs;

/// <summary>An upload landing in a local temp file: copied in chunks, hashed as it goes, cut off past the limit.</summary>
internal sealed class LocalFile(string path)
{
    /// <summary>
    /// Makes <paramref name="folder"/> the place for uploads in progress: created if missing, and emptied of
    /// what a crash left behind (nothing in it was ever visible). Another instance sharing the folder may be
    /// writing an upload right now, so only files untouched for an hour go: an upload in progress writes
    /// every few minutes at the slowest (Kestrel drops a body slower than 240 bytes/s).
    /// </summary>
    public static string PrepareTempFolder(string folder)
    {
        Directory.CreateDirectory(folder);
        var stale = DateTime.UtcNow - TimeSpan.FromHours(1);
        foreach (var leftover in new DirectoryInfo(folder).EnumerateFiles().Where(f => f.LastWriteTimeUtc < stale))
        {
            leftover.Delete();
        }
        return folder;
    }

    /// <summary>The SHA-256 of what was received, in lower-case hex.</summary>
    public string Sha256 { get; private set; } = "";

    public async Task<(long Size, string Sha256)> ReceiveAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Under 85 KB, so the buffer never lands on the large-object heap.
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        long size = 0;
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true);
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                size += read;
                if (size > maxBytes)
                {
                    throw new FileTooLargeException(maxBytes);
                }
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            await file.FlushAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        return (size, Sha256);
    }
}
