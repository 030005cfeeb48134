using Google.Rpc;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using static IWouldArgue.Live.Tests.LiveTestHost;

namespace IWouldArgue.Live.Tests;

/// <summary>Who may watch, and the limits that protect an instance.</summary>
public class AccessTests
{
    [Fact]
    public async Task Watch_WithoutDiscussionId_IsInvalidArgumentNamingTheField()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        await using var watcher = WatchSession.OverGrpc(host, "", "user-0");
        await watcher.WaitForEndAsync();
        Assert.Equal(StatusCode.InvalidArgument, watcher.FinalStatus);
    }

    [Fact]
    public async Task Watch_UnknownDiscussion_IsNotFound_AndNonMember_IsPermissionDenied()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        var room = await Room.OpenAsync(host);
        await using var unknown = WatchSession.OverGrpcWeb(host, "no-such-discussion", "user-0");
        await using var stranger = WatchSession.OverGrpc(host, room.Id, "stranger");
        await unknown.WaitForEndAsync();
        await stranger.WaitForEndAsync();
        Assert.Equal(StatusCode.NotFound, unknown.FinalStatus);
        Assert.Equal(StatusCode.PermissionDenied, stranger.FinalStatus);
    }

    [Fact]
    public async Task Watch_ResumeAfterTheLastEvent_IsInvalidArgumentNamingTheField()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        var room = await Room.OpenAsync(host, attendees: 1);
        var call = host.Live.Watch(new WatchRequest { DiscussionId = room.Id, ResumeAfterSeq = 1000 }, As("user-0"));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("resume_after_seq", RpcErrors.DetailsOf(error)!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RemovedOrBannedWatcher_IsDisconnectedAtOnce_WithPermissionDenied(bool ban)
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        var room = await Room.OpenAsync(host, attendees: 2);
        await using var target = WatchSession.OverGrpc(host, room.Id, "user-0");
        await using var bystander = WatchSession.OverGrpcWeb(host, room.Id, "user-1");
        await Task.WhenAll(target.WaitUntilAsync(w => w.Frames.Count > 0), bystander.WaitUntilAsync(w => w.Frames.Count > 0));

        if (ban)
        {
            await host.Discussions.BanUserAsync(new BanUserRequest { DiscussionId = room.Id, UserId = "user-0" }, As(Room.HostUser));
        }
        else
        {
            await host.Discussions.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = room.Id, UserId = "user-0" }, As(Room.HostUser));
        }
        await target.WaitForEndAsync();
        var posted = await room.PostAsync(1);
        await bystander.WaitForSeqAsync(posted[0]);

        Assert.Equal(StatusCode.PermissionDenied, target.FinalStatus);
        Assert.Null(bystander.FinalStatus);
        await using var again = WatchSession.OverGrpc(host, room.Id, "user-0");
        await again.WaitForEndAsync();
        Assert.Equal(StatusCode.PermissionDenied, again.FinalStatus);
        Assert.StartsWith(ban ? "You were banned" : "You were removed", again.FinalMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchersBeyondTheDiscussionLimit_AreRefusedWithResourceExhausted_AndAdmittedOnceOneLeaves()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:MaxWatchersPerDiscussion"] = "2" });
        var room = await Room.OpenAsync(host, attendees: 3);
        var first = WatchSession.OverGrpc(host, room.Id, "user-0");
        await using var second = WatchSession.OverGrpc(host, room.Id, "user-1");
        await Task.WhenAll(first.WaitUntilAsync(w => w.Frames.Count > 0), second.WaitUntilAsync(w => w.Frames.Count > 0));

        var call = host.Live.Watch(new WatchRequest { DiscussionId = room.Id }, As("user-2"));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.True(RpcErrors.DetailsOf(error)!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan() > TimeSpan.Zero);

        await first.DisconnectAsync();
        await using var third = WatchSession.OverGrpc(host, room.Id, "user-2");
        await third.WaitUntilAsync(w => w.Frames.Count > 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WatchersBeyondTheInstanceLimit_AreRefusedWithResourceExhausted()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:MaxWatchersPerInstance"] = "1" });
        var one = await Room.OpenAsync(host, attendees: 1);
        var other = await Room.OpenAsync(host, attendees: 1);
        await using var first = WatchSession.OverGrpc(host, one.Id, "user-0");
        await first.WaitUntilAsync(w => w.Frames.Count > 0);

        await using var refused = WatchSession.OverGrpcWeb(host, other.Id, "user-0");
        await refused.WaitForEndAsync();
        Assert.Equal(StatusCode.ResourceExhausted, refused.FinalStatus);
    }

    [Fact]
    public async Task OnePersonBeyondTheStreamLimit_IsRefusedWithResourceExhausted_AndMayOpenOneWhenAnotherCloses()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?> { ["Live:MaxStreamsPerPerson"] = "2" });
        var room = await Room.OpenAsync(host, attendees: 2);
        var tabs = new[] { WatchSession.OverGrpc(host, room.Id, "user-0"), WatchSession.OverGrpcWeb(host, room.Id, "user-0") };
        await Task.WhenAll(tabs.Select(t => t.WaitUntilAsync(w => w.Frames.Count > 0)));

        await using var third = WatchSession.OverGrpc(host, room.Id, "user-0");
        await third.WaitForEndAsync();
        await using var someoneElse = WatchSession.OverGrpc(host, room.Id, "user-1");
        await someoneElse.WaitUntilAsync(w => w.Frames.Count > 0);
        Assert.Equal(StatusCode.ResourceExhausted, third.FinalStatus);

        // Once a tab closes (the server sees the reset a moment later), a new one is let in, as a client
        // retrying after the RetryAfter delay would find.
        await tabs[0].DisconnectAsync();
        for (var attempt = 0; ; attempt++)
        {
            await using var again = WatchSession.OverGrpc(host, room.Id, "user-0");
            await again.WaitUntilAsync(w => w.Frames.Count > 0 || w.FinalStatus is not null, TimeSpan.FromSeconds(10));
            if (again.Frames.Count > 0)
            {
                break;
            }
            Assert.True(attempt < 50, $"never let in again: {again.FinalStatus}");
            await Task.Delay(100);
        }
        await tabs[1].DisposeAsync();
    }
}
