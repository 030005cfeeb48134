using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Attachments.Blobs;

/// <summary>
/// Blobs on local disk (the embedded default): <c>{root}/{first two hex digits}/{sha256}</c>. An upload is
/// written to <c>{root}/tmp/</c> and renamed into place on commit (a rename on one file system is atomic),
/// so a crash never leaves a half file visible; leftovers in tmp/ are removed at start-up.
/// </summary>
public sealed class LocalDiskBlobStore : IBlobStore
{
    private readonly string _root;
    private readonly string _temp;

    public LocalDiskBlobStore(IOptions<AttachmentOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _root = Path.GetFullPath(options.Value.StoragePath);
        _temp = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_temp);
        foreach (var leftover in Directory.EnumerateFiles(_temp))
        {
            File.Delete(leftover);
        }
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
        private string? _sha256;
        private bool _committed;

        public string TempPath { get; } = tempPath;

        public async Task<(long Size, string Sha256)> ReceiveAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            long size = 0;
            try
            {
                await using var file = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true);
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
            _sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            return (size, _sha256);
        }

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            var target = store.PathOf(_sha256 ?? throw new InvalidOperationException("Nothing was received."));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                File.Delete(TempPath); // the same content is already stored
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
