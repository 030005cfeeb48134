namespace IWouldArgue.Attachments.Blobs;

/// <summary>File contents, addressed by their SHA-256 (hex). Identical files are stored once.</summary>
public interface IBlobStore
{
    /// <summary>Starts taking in a file: it is invisible until committed, and gone if disposed uncommitted.</summary>
    Task<IBlobUpload> BeginAsync(CancellationToken cancellationToken);

    /// <summary>The stored file with this hash, or null.</summary>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Deletes the stored file with this hash (nothing if there is none).</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>The hashes of stored files last written before <paramref name="cutoff"/> (committing the same bytes again counts as writing).</summary>
    IAsyncEnumerable<string> ListWrittenBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>A file being taken in.</summary>
public interface IBlobUpload : IAsyncDisposable
{
    /// <summary>Where the bytes received so far are, for checks before committing.</summary>
    string TempPath { get; }

    /// <summary>
    /// Copies <paramref name="source"/> in, hashing as it goes, without holding the file in memory.
    /// Throws <see cref="FileTooLargeException"/> as soon as more than <paramref name="maxBytes"/> arrive.
    /// </summary>
    Task<(long Size, string Sha256)> ReceiveAsync(Stream source, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Makes the file visible under its hash.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}

/// <summary>More bytes arrived than allowed.</summary>
public sealed class FileTooLargeException(long maxBytes) : Exception($"The file is larger than {maxBytes} bytes.")
{
    /// <summary>The limit that was passed.</summary>
    public long MaxBytes { get; } = maxBytes;
}
