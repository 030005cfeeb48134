using System.Buffers;

namespace IWouldArgue.Rpc.Protocol;

/// <summary>A read-only stream that decodes a gRPC-Web text (base64) request body as it arrives.</summary>
internal sealed class Base64TextReadStream(Stream inner) : Stream
{
    private readonly Base64TextDecoder _decoder = new();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Four characters make at most three bytes, so this many characters always fit the caller's buffer.
        var charsWanted = Math.Max(4, buffer.Length / 3 * 4 - 4);
        var raw = ArrayPool<byte>.Shared.Rent(charsWanted);
        try
        {
            while (true)
            {
                var read = await inner.ReadAsync(raw.AsMemory(0, charsWanted), cancellationToken);
                if (read == 0)
                {
                    return _decoder.HasPartialGroup
                        ? throw new RpcException(StatusCode.Internal, "The gRPC-Web text body ended inside a base64 group.")
                        : 0;
                }
                var decoded = DecodeInto(raw.AsSpan(0, read), buffer.Span);
                if (decoded > 0)
                {
                    return decoded;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int DecodeInto(ReadOnlySpan<byte> ascii, Span<byte> destination)
    {
        try
        {
            return _decoder.Decode(ascii, destination);
        }
        catch (FormatException ex)
        {
            throw new RpcException(StatusCode.Internal, ex.Message);
        }
    }
}
