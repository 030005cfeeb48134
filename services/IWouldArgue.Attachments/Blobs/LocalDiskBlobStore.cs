using Microsoft.Extensions.Options;

namespace IWouldArgue.Attachments.Blobs;

/// <summary>
/// Blobs on local disk (the embedded default): <c>{root}/{first two hex digits}/{sha256}</c>. An upload is
/// written to <c>{root}/tmp/</c> and renamed into place on commit (a rename on one file system is atomic),
/// so a crash never leaves a half file visible; leftovers in tmp/ untouched for an hour are removed at start-up.
/// </summary>
public sealed class LocalDiskBlobStore : IBlobStore
{
    private readonly string _root;
    private readonly string _temp;

    public LocalDiskBlobStore(IOptions<AttachmentOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _root = Path.GetFullPath(options.Value.StoragePath);
        _temp = LocalFile.PrepareTempFolder(Path.Combine(_root, "tmp"));
    }

    public Task<IBlobUpload> BeginAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IBlobUpload>(new Upload(this, Path.Combine(_temp, Guid.NewGuid().ToString("N"))));

    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        var path = PathOf(sha256);
        return Task.FromResult<Stream?>(File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, useAsync: true) : null);
    }

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(sha256));
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<string> ListWrittenBeforeAsync(DateTimeOffset cutoff, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var folder in Directory.EnumerateDirectories(_root).Where(d => Path.GetFileName(d) is { Length: 2 } n && n.All(char.IsAsciiHexDigitLower)))
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (file.Name.Length == 64 && file.LastWriteTimeUtc < cutoff.UtcDateTime)
                {
                    yield return file.Name;
                }
            }
            await Task.Yield();
        }
    }

    private string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Not a SHA-256 in lower-case hex.", nameof(sha256));
        }
        return Path.Combine(_root, sha256[..2], sha256);
    }

    private sealed class Upload(LocalDiskBlobStore store, string tempPath) : IBlobUpload
    {
        private readonly LocalFile _local = new(tempPath);
        private bool _committed;

        public string TempPath => tempPath;

        public Task<(long Size, string Sha256)> ReceiveAsync(Stream source, long maxBytes, CancellationToken cancellationToken) =>
            _local.ReceiveAsync(source, maxBytes, cancellationToken);

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            var target = store.PathOf(_local.Sha256.Length > 0 ? _local.Sha256 : throw new InvalidOperationException("Nothing was received."));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                File.Delete(TempPath); // the same content is already stored: it is as new as this upload now
                File.SetLastWriteTimeUtc(target, DateTime.UtcNow);
            }
            else
            {
                File.Move(TempPath, target);
            }
            _committed = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_committed)
            {
                File.Delete(TempPath);
            }
            return ValueTask.CompletedTask;
        }
    }
}
