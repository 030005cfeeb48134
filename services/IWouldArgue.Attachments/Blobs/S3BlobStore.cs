using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Attachments.Blobs;

/// <summary>Where an S3-compatible blob store is, bound from "Attachments:S3".</summary>
public sealed class S3Options
{
    /// <summary>The service address (e.g. https://s3.eu-west-1.amazonaws.com, or a MinIO/Ceph endpoint). Unset: local disk is used.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The bucket.</summary>
    public string Bucket { get; set; } = "iwouldargue-attachments";

    /// <summary>The access key id.</summary>
    public string? AccessKey { get; set; }

    /// <summary>The secret access key.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The signing region. Default: us-east-1.</summary>
    public string Region { get; set; } = "us-east-1";
}

/// <summary>
/// Blobs in an S3-compatible store under <c>blobs/{sha256}</c>. An upload is first written to a local temp
/// file (it has to be hashed and its type checked before it may be kept anyway), then sent on commit (a
/// multipart upload for large files, aborted if sending fails, so no partial object is ever visible).
/// Reads are ranged GETs, so downloads support range requests.
/// </summary>
public sealed class S3BlobStore(IAmazonS3 s3, IOptions<S3Options> s3Options, IOptions<AttachmentOptions> options) : IBlobStore
{
    private readonly string _temp = LocalFile.PrepareTempFolder(Path.Combine(Path.GetFullPath(options.Value.StoragePath), "s3-tmp"));

    private IAmazonS3 Client => s3;

    private string Bucket => s3Options.Value.Bucket;

    /// <summary>Makes the client from the options (path-style addressing, which S3-compatible servers expect).</summary>
    public static IAmazonS3 CreateClient(S3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl!.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            // The SDK's default adds CRC trailers in aws-chunked bodies, which S3-compatible servers other than
            // AWS (s3rver, older MinIO and Ceph) store as part of the object: send checksums only when required.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        return new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public Task<IBlobUpload> BeginAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IBlobUpload>(new Upload(this, Path.Combine(_temp, Guid.NewGuid().ToString("N"))));

    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken) =>
        await S3ObjectStream.OpenAsync(s3, Bucket, Key(sha256), cancellationToken);

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken) =>
        s3.DeleteObjectAsync(Bucket, Key(sha256), cancellationToken);

    public async IAsyncEnumerable<string> ListWrittenBeforeAsync(DateTimeOffset cutoff, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = "blobs/" };
        await foreach (var found in s3.Paginators.ListObjectsV2(request).S3Objects.WithCancellation(cancellationToken))
        {
            if (found.LastModified is { } written && written.ToUniversalTime() < cutoff.UtcDateTime && found.Key.Length == "blobs/".Length + 64)
            {
                yield return found.Key["blobs/".Length..];
            }
        }
    }

    private const long PartSize = 8L * 1024 * 1024;

    // Small files in one PUT; larger ones as a multipart upload of 8 MiB parts, aborted if any part fails,
    // so no partial object is ever visible. Bodies are signed whole (no aws-chunked encoding, which
    // S3-compatible servers other than AWS may store as part of the object).
    private async Task PutAsync(string path, string key, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (length <= PartSize)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, FilePath = path, UseChunkEncoding = false }, cancellationToken);
            return;
        }
        var started = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            for (var (number, position) = (1, 0L); position < length; number++, position += PartSize)
            {
                var part = await s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket, Key = key, UploadId = started.UploadId, PartNumber = number,
                    FilePath = path, FilePosition = position, PartSize = Math.Min(PartSize, length - position), UseChunkEncoding = false,
                }, cancellationToken);
                parts.Add(new PartETag(number, part.ETag));
            }
            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = started.UploadId, PartETags = parts }, cancellationToken);
        }
        catch
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = started.UploadId }, CancellationToken.None);
            throw;
        }
    }

    private static string Key(string sha256) =>
        sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower) ? $"blobs/{sha256}" : throw new ArgumentException("Not a SHA-256 in lower-case hex.", nameof(sha256));

    private sealed class Upload(S3BlobStore store, string tempPath) : IBlobUpload
    {
        private readonly LocalFile _local = new(tempPath);

        public string TempPath => tempPath;

        public Task<(long Size, string Sha256)> ReceiveAsync(Stream source, long maxBytes, CancellationToken cancellationToken) =>
            _local.ReceiveAsync(source, maxBytes, cancellationToken);

        public Task CommitAsync(CancellationToken cancellationToken) => store.PutAsync(tempPath, Key(_local.Sha256), cancellationToken);

        public ValueTask DisposeAsync()
        {
            File.Delete(tempPath);
            return ValueTask.CompletedTask;
        }
    }
}
