using Amazon.S3;
using Amazon.S3.Model;

namespace IWouldArgue.Attachments.Blobs;

/// <summary>A read-only, seekable view of an S3 object: each read after a seek starts a ranged GET, so HTTP range requests cost what they ask for.</summary>
public sealed class S3ObjectStream : Stream
{
    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly string _key;
    private readonly long _length;
    private GetObjectResponse? _response;
    private long _position;

    private S3ObjectStream(IAmazonS3 s3, string bucket, string key, long length)
    {
        _s3 = s3;
        _bucket = bucket;
        _key = key;
        _length = length;
    }

    /// <summary>Opens the object, or returns null when there is none.</summary>
    public static async Task<S3ObjectStream?> OpenAsync(IAmazonS3 s3, string bucket, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(s3);
        try
        {
            var head = await s3.GetObjectMetadataAsync(bucket, key, cancellationToken);
            return new S3ObjectStream(s3, bucket, key, head.ContentLength);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= _length || buffer.Length == 0)
        {
            return 0;
        }
        _response ??= await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = _key, ByteRange = new ByteRange(_position, _length - 1) }, cancellationToken);
        var read = await _response.ResponseStream.ReadAsync(buffer, cancellationToken);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => _length + offset };
        if (target != _position)
        {
            _response?.Dispose();
            _response = null;
            _position = Math.Clamp(target, 0, _length);
        }
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _response?.Dispose();
        }
        base.Dispose(disposing);
    }
}
