using IWouldArgue.Contracts.V1;
using static IWouldArgue.Live.Tests.LiveTestHost;

namespace IWouldArgue.Live.Tests;

/// <summary>The attendee count follows live connections: a member whose streams all close is counted out after a grace period, and back in on return.</summary>
public class PresenceTests
{
    private static readonly Dictionary<string, string?> ShortGrace = new() { ["Live:PresenceGrace"] = "00:00:00.300" };

    [Fact]
    public async Task MemberWhoDisconnects_IsCountedOutAfterTheGrace_StaysAMember_AndIsCountedBackInOnReturn()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: ShortGrace);
        var room = await Room.OpenAsync(host, attendees: 2);
        await using var observer = WatchSession.OverGrpc(host, room.Id, "user-1");
        var leaver = WatchSession.OverGrpcWeb(host, room.Id, "user-0");
        await Task.WhenAll(observer.WaitUntilAsync(w => w.Frames.Count > 0), leaver.WaitUntilAsync(w => w.Frames.Count > 0));
        Assert.Equal(3u, observer.Frames[0].Snapshot.AttendeeCount);

        await leaver.DisconnectAsync();
        var left = await NextEventAsync(observer, e => e.AttendeeLeft is not null);
        Assert.Equal(("user-0", LeaveReason.Disconnected, 2u), (left.AttendeeLeft.User.UserId, left.AttendeeLeft.Reason, left.AttendeeLeft.AttendeeCount));

        // Still a member: they may act without joining again.
        await host.Discussions.RaiseHandAsync(new RaiseHandRequest { DiscussionId = room.Id }, As("user-0"));
        await using var back = WatchSession.OverGrpc(host, room.Id, "user-0");
        var joined = await NextEventAsync(observer, e => e.AttendeeJoined is not null);
        Assert.Equal(("user-0", true, 3u), (joined.AttendeeJoined.User.UserId, joined.AttendeeJoined.Reconnected, joined.AttendeeJoined.AttendeeCount));
        var discussion = (await host.Discussions.GetDiscussionAsync(new GetDiscussionRequest { DiscussionId = room.Id }, As("user-0"))).Discussion;
        Assert.Equal(3u, discussion.AttendeeCount);
    }

    [Fact]
    public async Task ResumingAcrossOnesOwnCountOut_KeepsTheStreamOpen()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: ShortGrace);
        var room = await Room.OpenAsync(host, attendees: 2);
        await using var observer = WatchSession.OverGrpc(host, room.Id, "user-1");
        var leaver = WatchSession.OverGrpc(host, room.Id, "user-0");
        await Task.WhenAll(observer.WaitUntilAsync(w => w.Frames.Count > 0), leaver.WaitUntilAsync(w => w.Frames.Count > 0));
        await leaver.DisconnectAsync();
        await NextEventAsync(observer, e => e.AttendeeLeft is not null);

        // The reconnecting client resumes from where it was: the log it catches up on holds its own count-out.
        await using var back = WatchSession.OverGrpcWeb(host, room.Id, "user-0", resumeAfter: leaver.LastSeq);
        var joined = await NextEventAsync(back, e => e.AttendeeJoined is { Reconnected: true });
        var posted = await room.PostAsync(1);
        await back.WaitForSeqAsync(posted[0]);

        Assert.Contains(back.Frames.Where(f => f.Events is not null).SelectMany(f => f.Events.Events), e => e.AttendeeLeft is { Reason: LeaveReason.Disconnected });
        Assert.Equal("user-0", joined.AttendeeJoined.User.UserId);
        Assert.Null(back.FinalStatus);
    }

    [Fact]
    public async Task ReconnectWithinTheGrace_ChangesNothing()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:PresenceGrace"] = "00:00:02" });
        var room = await Room.OpenAsync(host, attendees: 2);
        await using var observer = WatchSession.OverGrpc(host, room.Id, "user-1");
        var first = WatchSession.OverGrpc(host, room.Id, "user-0");
        await Task.WhenAll(observer.WaitUntilAsync(w => w.Frames.Count > 0), first.WaitUntilAsync(w => w.Frames.Count > 0));

        await first.DisconnectAsync();
        await using var again = WatchSession.OverGrpc(host, room.Id, "user-0", resumeAfter: first.LastSeq);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var posted = await room.PostAsync(1);
        await observer.WaitForSeqAsync(posted[0]);

        Assert.Equal(posted, observer.Seqs);
    }

    [Fact]
    public async Task RemovedMember_IsNotCountedBackIn_ByWatching()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: ShortGrace);
        var room = await Room.OpenAsync(host, attendees: 1);
        await host.Discussions.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = room.Id, UserId = "user-0" }, As(Room.HostUser));

        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitForEndAsync();

        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, watcher.FinalStatus);
        var discussion = (await host.Discussions.GetDiscussionAsync(new GetDiscussionRequest { DiscussionId = room.Id }, As(Room.HostUser))).Discussion;
        Assert.Equal(1u, discussion.AttendeeCount);
    }

    private static async Task<DiscussionEvent> NextEventAsync(WatchSession session, Func<DiscussionEvent, bool> match)
    {
        DiscussionEvent? found = null;
        await session.WaitUntilAsync(s => (found = s.Frames.Where(f => f.Events is not null).SelectMany(f => f.Events.Events).LastOrDefault(match)) is not null);
        return found!;
    }
}
