using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using Grpc.Core;
using static IWouldArgue.Live.Tests.LiveTestHost;

namespace IWouldArgue.Live.Tests;

/// <summary>Many watchers of one discussion over real HTTP/2 and gRPC-Web: everything, in order, exactly once.</summary>
public class FanoutTests
{
    [Fact]
    public async Task TwoHundredWatchers_OverHttp2AndGrpcWeb_EachReceiveAllThousandCommentsInOrderExactlyOnce()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        var room = await Room.OpenAsync(host, attendees: 200);
        var start = await room.LastSeqAsync();
        var sessions = Enumerable.Range(0, 200)
            .Select(i => (i % 8) switch
            {
                0 => WatchSession.OverGrpcWeb(host, room.Id, $"user-{i}"),
                4 => WatchSession.OverGrpcWeb(host, room.Id, $"user-{i}", text: true),
                _ => WatchSession.OverGrpc(host, room.Id, $"user-{i}"),
            })
            .ToList();
        await Task.WhenAll(sessions.Select(s => s.WaitUntilAsync(w => w.Frames.Count > 0)));
        await Room.WaitForRoutesAsync();

        // Four writers post concurrently, so events arrive in bursts that the batch window coalesces.
        var posted = (await Task.WhenAll(Enumerable.Range(0, 4).Select(w => room.PostAsync(250, $"writer {w}")))).SelectMany(s => s).Order().ToList();
        var last = await room.LastSeqAsync();
        await Task.WhenAll(sessions.Select(s => s.WaitForSeqAsync(last, TimeSpan.FromSeconds(60))));

        Assert.Equal(1000, posted.Count);
        foreach (var session in sessions)
        {
            var snapshot = Assert.Single(session.Frames, f => f.Snapshot is not null).Snapshot;
            var expected = Enumerable.Range(1, (int)(last - snapshot.Seq)).Select(i => snapshot.Seq + (ulong)i).ToList();
            Assert.Equal(expected, session.Seqs);
            Assert.True(snapshot.Seq >= start);
            Assert.Subset(session.Seqs.ToHashSet(), posted.Where(p => p > snapshot.Seq).ToHashSet());
        }
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }
    }

    [Fact]
    public async Task Burst_WithinTheBatchWindow_ArrivesAsFewerFramesThanEvents()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:BatchWindow"] = "00:00:00.300" });
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);
        await Room.WaitForRoutesAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => room.PostAsync(10, $"writer {w}")));
        var last = await room.LastSeqAsync();
        await watcher.WaitForSeqAsync(last);

        var eventFrames = watcher.Frames.Count(f => f.Events is not null);
        Assert.Equal(40, watcher.Seqs.Count);
        Assert.True(eventFrames < 40, $"{eventFrames} frames carried 40 events");
    }

    [Fact]
    public async Task AnEventInAQuietDiscussion_GoesOutAtOnce_NotWhenTheBatchWindowEnds()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?>
        {
            ["Live:BatchWindow"] = "00:01:00",
            ["Live:HeartbeatInterval"] = "00:10:00",
        });
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);
        // The fanout reads the log's tail 1, 3, 7, 15 and 31 s after it starts (each check doubles the wait), and a
        // check would deliver the event whatever the window: post after the 15 s check, so only the window can.
        await Task.Delay(TimeSpan.FromSeconds(16));

        var seq = Assert.Single(await room.PostAsync(1));

        // Well inside the 60 s window and before the next tail check: the discussion sent no events before, so
        // nothing holds this one back.
        await watcher.WaitForSeqAsync(seq, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task EventsWithinTheWindowOfTheFrameBefore_GoOutTogether()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:BatchWindow"] = "00:00:03" });
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);
        await Room.WaitForRoutesAsync();
        var first = Assert.Single(await room.PostAsync(1, "opens a window"));
        await watcher.WaitForSeqAsync(first);

        var burst = await room.PostAsync(5, "within it");
        await watcher.WaitForSeqAsync(burst[^1]);

        var framesOfBurst = watcher.Frames.Count(f => f.Events is not null && f.Events.Events.Any(e => burst.Contains(e.Seq)));
        Assert.Equal(burst, watcher.Seqs.Where(burst.Contains));
        Assert.True(framesOfBurst < burst.Count, $"{framesOfBurst} frames carried {burst.Count} events");
    }

    [Fact]
    public async Task Snapshot_CarriesSpeakersHandsInOrderCountAndRecentComments()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:SnapshotComments"] = "3" });
        var room = await Room.OpenAsync(host, attendees: 3);
        await host.Discussions.RaiseHandAsync(new RaiseHandRequest { DiscussionId = room.Id }, As("user-2"));
        await host.Discussions.RaiseHandAsync(new RaiseHandRequest { DiscussionId = room.Id }, As("user-0"));
        await host.Discussions.RaiseHandAsync(new RaiseHandRequest { DiscussionId = room.Id }, As("user-1"));
        await host.Discussions.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = room.Id, UserId = "user-0", Role = Role.Participant }, As(Room.HostUser));
        await room.PostAsync(5);

        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-1");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);
        var snapshot = watcher.Frames[0].Snapshot;

        Assert.Equal(await room.LastSeqAsync(), snapshot.Seq);
        Assert.Equal(["hana", "user-0"], snapshot.Speakers.Select(s => s.User.UserId));
        Assert.Equal(["user-2", "user-1"], snapshot.RaisedHands.Select(h => h.User.UserId));
        Assert.Equal(4u, snapshot.AttendeeCount);
        Assert.Equal(["comment 2", "comment 3", "comment 4"], snapshot.RecentComments.Select(c => c.Text));
        Assert.Equal("", snapshot.Discussion.InviteCode);
        Assert.False(snapshot.ResumeExpired);
    }

    [Fact]
    public async Task APinnedComment_IsInTheSnapshot_EvenWhenOlderThanItsRecentComments_AndThePinReachesWatchers()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:SnapshotComments"] = "2" });
        var room = await Room.OpenAsync(host, attendees: 1);
        var old = (await host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = room.Id, Text = "the house rules" }, As(Room.HostUser))).Comment;
        await room.PostAsync(3);
        await host.Discussions.PinCommentAsync(new PinCommentRequest { DiscussionId = room.Id, CommentId = old.CommentId }, As(Room.HostUser));

        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);
        var snapshot = watcher.Frames[0].Snapshot;
        await Room.WaitForRoutesAsync();
        var unpin = await host.Discussions.PinCommentAsync(new PinCommentRequest { DiscussionId = room.Id }, As(Room.HostUser));
        var last = await room.LastSeqAsync();
        await watcher.WaitForSeqAsync(last);

        Assert.Equal("the house rules", snapshot.PinnedComment?.Text);
        Assert.DoesNotContain(snapshot.RecentComments, c => c.CommentId == old.CommentId);
        Assert.Null(unpin.Pinned);
        Assert.Contains(watcher.Frames.Where(f => f.Events is not null).SelectMany(f => f.Events.Events), e => e.CommentPinned is { CommentId: "" });
    }

    [Fact]
    public async Task IdleStream_GetsHeartbeatsWithTheLastSequence()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:HeartbeatInterval"] = "00:00:00.200" });
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpcWeb(host, room.Id, "user-0");

        await watcher.WaitUntilAsync(w => w.Frames.Count(f => f.Heartbeat is not null) >= 2);

        Assert.All(watcher.Frames.Where(f => f.Heartbeat is not null), f => Assert.Equal(watcher.Frames[0].Snapshot.Seq, f.Heartbeat.LastSeq));
    }

    [Fact]
    public async Task EndOfDiscussion_IsDelivered_ThenTheStreamCompletes()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);

        await host.Discussions.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = room.Id }, As(Room.HostUser));
        await watcher.WaitForEndAsync();

        Assert.Equal(StatusCode.OK, watcher.FinalStatus);
        Assert.Equal(DiscussionEvent.KindOneofCase.DiscussionEnded, watcher.Frames.Last(f => f.Events is not null).Events.Events[^1].KindCase);
    }

    [Fact]
    public async Task DiscussionWithoutWatchers_RetiresAfterTheLinger_AndComesBackForTheNextWatcher()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:IdleLinger"] = "00:00:00.200" });
        var room = await Room.OpenAsync(host, attendees: 1);
        var routes = (LiveRoutes)host.Services.GetService(typeof(LiveRoutes))!;
        var first = WatchSession.OverGrpc(host, room.Id, "user-0");
        await first.WaitUntilAsync(w => w.Frames.Count > 0);
        Assert.Equal([host.InstanceId], (await routes.ServingOf(room.Id).ReadAsync()).Keys);

        await first.DisconnectAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await routes.ServingOf(room.Id).ReadAsync()).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the idle discussion still claims to be served here");
            await Task.Delay(50);
        }

        await using var second = WatchSession.OverGrpcWeb(host, room.Id, "user-0");
        await second.WaitUntilAsync(w => w.Frames.Count > 0);
        var posted = await room.PostAsync(3);
        await second.WaitForSeqAsync(posted[^1]);
        Assert.Equal(posted, second.Seqs);
    }
}
