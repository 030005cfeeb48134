using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Live.Fanout;

namespace IWouldArgue.Live.Tests;

/// <summary>
/// A frame made once for many watchers is written as gRPC's length-prefixed message; the streams that carry it
/// (gRPC, gRPC-Web binary and text) are read by standard clients in FanoutTests and the interop tests.
/// </summary>
public class GrpcMessageFrameTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    [InlineData(70_000)]
    public void AFrame_IsTheFlagByte_TheBigEndianLength_ThenTheMessage(int textLength)
    {
        var message = Events(new string('x', textLength) + "Ünïcödé ✓");

        var framed = GrpcMessageFrame.Of(message);

        var bytes = message.ToByteArray();
        Assert.Equal(0, framed[0]);
        Assert.Equal((uint)bytes.Length, BinaryPrimitives.ReadUInt32BigEndian(framed.AsSpan(1, 4)));
        Assert.Equal(bytes, framed[5..]);
        Assert.Equal(message, WatchResponse.Parser.ParseFrom(framed.AsSpan(5)));
    }

    [Fact]
    public void ASharedFrame_KeepsTheBytesMadeOnce_NotTheMessageItCameFrom()
    {
        var message = Events("first words");
        var frame = LiveFrame.Shared(message, 42);

        message.Events.Events[0].CommentPosted.Comment.Text = "changed afterwards";

        Assert.Equal("first words", WatchResponse.Parser.ParseFrom(frame.Framed.AsSpan(5)).Events.Events[0].CommentPosted.Comment.Text);
    }

    [Fact]
    public void AFrameForOneWatcher_IsNotFramedAhead()
    {
        Assert.Null(new LiveFrame(Events("just for one"), 42).Framed);
    }

    private static WatchResponse Events(string text)
    {
        var batch = new EventBatch();
        batch.Events.Add(new DiscussionEvent
        {
            DiscussionId = "d-1",
            Seq = 42,
            OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 7, 18, 0, 0, TimeSpan.Zero)),
            CommentPosted = new CommentPosted { Comment = new Comment { CommentId = "c-1", Text = text, Seq = 42, Author = new UserRef { UserId = "u-1", DisplayName = "Ada" } } },
        });
        return new WatchResponse { Events = batch };
    }
}
