using System.Buffers;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Protocol;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Protocol;

public class MessageFramingTests
{
    [Fact]
    public void WriteMessage_SmallMessage_WritesFlagLengthAndPayload()
    {
        var message = new EchoRequest { Message = "hello" };
        var writer = new ArrayBufferWriter<byte>();

        MessageFraming.WriteMessage(writer, message, maxSize: 100);

        var bytes = writer.WrittenSpan.ToArray();
        Assert.Equal(0, bytes[0]);
        Assert.Equal(new byte[] { 0, 0, 0, 7 }, bytes[1..5]);
        Assert.Equal(message, EchoRequest.Parser.ParseFrom(bytes[5..]));
    }

    [Fact]
    public void WriteMessage_LargerThanLimit_ThrowsResourceExhaustedBeforeWriting()
    {
        var writer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<RpcException>(() => MessageFraming.WriteMessage(writer, new EchoRequest { Message = new string('x', 200) }, maxSize: 100));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void TryReadFrame_TwoFramesInOneBuffer_ReadsThemInOrder()
    {
        var buffer = new ReadOnlySequence<byte>([.. RawGrpc.Frame(new EchoRequest { Message = "a" }), .. RawGrpc.Frame(new EchoRequest { Message = "b" })]);

        Assert.True(MessageFraming.TryReadFrame(ref buffer, 100, out var first));
        Assert.True(MessageFraming.TryReadFrame(ref buffer, 100, out var second));

        Assert.Equal("a", EchoRequest.Parser.ParseFrom(first.Payload).Message);
        Assert.Equal("b", EchoRequest.Parser.ParseFrom(second.Payload).Message);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryReadFrame_PartialPayload_WaitsForTheRest()
    {
        var frame = RawGrpc.Frame(new EchoRequest { Message = "hello" });
        var buffer = new ReadOnlySequence<byte>(frame[..^1]);

        Assert.False(MessageFraming.TryReadFrame(ref buffer, 100, out _));
        Assert.Equal(frame.Length - 1, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_HeaderAnnouncesTooMuch_ThrowsBeforePayloadArrives()
    {
        var header = new byte[] { 0, 0x10, 0, 0, 0 };
        var buffer = new ReadOnlySequence<byte>(header);

        var ex = Assert.Throws<RpcException>(() => MessageFraming.TryReadFrame(ref buffer, 1024, out _));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void TryReadFrame_TrailersFlag_IsReported()
    {
        var buffer = new ReadOnlySequence<byte>(RawGrpc.Frame("grpc-status:0\r\n"u8.ToArray(), flags: 0x80));

        Assert.True(MessageFraming.TryReadFrame(ref buffer, 100, out var frame));

        Assert.True(frame.IsTrailers);
        Assert.False(frame.IsCompressed);
    }
}
