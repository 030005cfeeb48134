using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Live.Tests;

/// <summary>A frame for many watchers is serialized once; what is written is the same bytes.</summary>
public class EncodedOnceTests
{
    [Fact]
    public void AnEncodedFrame_IsWrittenAsTheSameBytes_AndReadBackAsTheSameMessage()
    {
        var frames = new[] { Events("Ünïcödé ✓ and a long enough text to need more than one byte of length: " + new string('x', 300)), Heartbeat() };

        foreach (var frame in frames)
        {
            var encoded = WatchResponse.EncodedOnce(frame);

            Assert.Equal(frame.ToByteArray(), encoded.ToByteArray());
            Assert.Equal(frame.CalculateSize(), encoded.CalculateSize());
            Assert.Equal(frame, WatchResponse.Parser.ParseFrom(encoded.ToByteArray()));
        }
    }

    [Fact]
    public void AnEncodedFrame_KeepsTheBytesMadeOnce_NotTheMessageItCameFrom()
    {
        var frame = Events("first words");
        var encoded = WatchResponse.EncodedOnce(frame);

        frame.Events.Events[0].CommentPosted.Comment.Text = "changed afterwards";

        Assert.Equal("first words", WatchResponse.Parser.ParseFrom(encoded.ToByteArray()).Events.Events[0].CommentPosted.Comment.Text);
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
        batch.Events.Add(new DiscussionEvent { DiscussionId = "d-1", Seq = 43, HandRaised = new HandRaised { User = new UserRef { UserId = "u-2", DisplayName = "Bo" } } });
        return new WatchResponse { Events = batch };
    }

    private static WatchResponse Heartbeat() => new() { Heartbeat = new Heartbeat { LastSeq = 43, SentAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddDays(20000)) } };
}
