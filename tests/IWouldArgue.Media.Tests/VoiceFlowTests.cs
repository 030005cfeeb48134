using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using static IWouldArgue.Media.Tests.MediaHost;

namespace IWouldArgue.Media.Tests;

/// <summary>
/// Discussions and Media together (in-process pub/sub), with the LiveKit stand-in: what happens in a
/// discussion reaches LiveKit once each, even when an event is delivered twice or LiveKit is briefly down.
/// </summary>
public sealed class VoiceFlowTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private LiveKitStandIn _liveKit = null!;
    private MediaHost _host = null!;

    public async Task InitializeAsync()
    {
        _liveKit = await LiveKitStandIn.StartAsync();
        _host = await MediaHost.StartAsync(_liveKit, new Dictionary<string, string?> { ["Media:Attempts"] = "1" });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _liveKit.DisposeAsync();
    }

    [Fact]
    public async Task StartPromoteMuteRemoveEnd_EachReachLiveKitOnce()
    {
        var id = await _host.LiveDiscussionAsync();
        await Eventually(() => _liveKit.Of("CreateRoom").Count() == 1 && _liveKit.Of("UpdateParticipant").Count() == 2);
        var room = Assert.Single(_liveKit.Of("CreateRoom")).Body;
        Assert.Equal(id, room["name"]!.GetValue<string>());
        Assert.Contains(id, room["metadata"]!.GetValue<string>(), StringComparison.Ordinal);

        await _host.Discussions.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = id, UserId = "listener", Role = Role.Participant }, As("host"));
        await Eventually(() => _liveKit.Of("UpdateParticipant").Any(c => c.Body["identity"]!.GetValue<string>() == "listener"));
        var promoted = _liveKit.Of("UpdateParticipant").Single(c => c.Body["identity"]!.GetValue<string>() == "listener").Body["permission"]!;
        Assert.True(promoted["canPublish"]!.GetValue<bool>());

        await _host.Discussions.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = id, UserId = "listener", Role = Role.Attendee }, As("host"));
        await Eventually(() => _liveKit.Of("UpdateParticipant").Count(c => c.Body["identity"]!.GetValue<string>() == "listener") == 2);
        Assert.False(_liveKit.Of("UpdateParticipant").Last(c => c.Body["identity"]!.GetValue<string>() == "listener").Body["permission"]!["canPublish"]!.GetValue<bool>());

        _liveKit.Participants["speaker"] = "TR_speaker";
        await _host.Media.MuteParticipantAsync(new MuteParticipantRequest { DiscussionId = id, UserId = "speaker" }, As("cohost"));
        await Eventually(() => _liveKit.Of("MutePublishedTrack").Any());
        Assert.Equal("TR_speaker", Assert.Single(_liveKit.Of("MutePublishedTrack")).Body["trackSid"]!.GetValue<string>());

        await _host.Discussions.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = id, UserId = "speaker" }, As("host"));
        await _host.Discussions.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = id }, As("host"));
        await Eventually(() => _liveKit.Of("DeleteRoom").Any() && _liveKit.Of("RemoveParticipant").Any());

        // Every lifecycle event delivered again: LiveKit hears nothing new.
        var before = _liveKit.Calls.Count;
        var log = await _host.Discussions.ListEventsAsync(new ListEventsRequest { DiscussionId = id }, As("host"));
        var pubSub = _host.Services.GetRequiredService<IPubSub>();
        foreach (var e in log.Events.Where(DiscussionTopics.IsLifecycle))
        {
            await pubSub.PublishAsync(DiscussionTopics.Lifecycle, new PubSubMessage($"{e.DiscussionId}:{e.Seq}", DiscussionTopics.EventType, e.ToByteArray()));
        }
        await Task.Delay(500);

        Assert.Equal(before, _liveKit.Calls.Count);
        Assert.Single(_liveKit.Of("CreateRoom"));
        Assert.Single(_liveKit.Of("DeleteRoom"));
        Assert.Single(_liveKit.Of("RemoveParticipant"));
    }

    [Fact]
    public async Task LiveKitBrieflyDown_TheRoomIsCreatedWhenItIsBack()
    {
        _liveKit.FailNext(2);

        await _host.LiveDiscussionAsync();

        await Eventually(() => _liveKit.Of("CreateRoom").Count() == 3);
        await Task.Delay(300);
        Assert.Equal(3, _liveKit.Of("CreateRoom").Count());
    }

    [Fact]
    public async Task ARecordingTheHostAskedFor_StartsWithTheDiscussion_AndStopsAtItsEnd()
    {
        var created = (await _host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "On the record", RecordVoice = true }, As("host"))).Discussion;
        await _host.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("host"));
        // LiveKit sees the egress request before Media has stored its answer: wait for the stored recording.
        var running = await EventuallyAsync(async () =>
        {
            try
            {
                return (await _host.Media.GetRecordingAsync(new GetRecordingRequest { DiscussionId = created.DiscussionId }, As("host"))).Recording;
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                return null;
            }
        });

        await _host.Discussions.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = created.DiscussionId }, As("host"));
        await Eventually(() => _liveKit.Of("DeleteRoom").Any());
        var stopped = (await _host.Media.GetRecordingAsync(new GetRecordingRequest { DiscussionId = created.DiscussionId }, As("host"))).Recording;

        Assert.Equal(RecordingState.Active, running.State);
        Assert.Equal("EG_1", running.RecordingId);
        Assert.Equal("EG_1", Assert.Single(_liveKit.Of("StopEgress")).Body["egressId"]!.GetValue<string>());
        Assert.Equal(RecordingState.Finishing, stopped.State);
        Assert.Equal(running.StartedAt, stopped.StartedAt);
        var calls = _liveKit.Calls.Select(c => c.Method).ToList();
        Assert.True(calls.IndexOf("StopEgress") < calls.IndexOf("DeleteRoom"), "the recording must stop before the room goes");
    }

    [Fact]
    public async Task TwoStartsAtOnce_WhileLiveKitIsSlow_RecordOnce()
    {
        var id = await _host.LiveDiscussionAsync();
        _liveKit.Delay = TimeSpan.FromMilliseconds(500);
        var recordings = _host.Services.GetRequiredService<Recordings>();

        // A slow egress start and the same event delivered again meanwhile (or a host clicking twice).
        var starts = await Task.WhenAll(recordings.StartAsync(id, CancellationToken.None), recordings.StartAsync(id, CancellationToken.None));
        var again = await recordings.StartAsync(id, CancellationToken.None);

        Assert.Single(_liveKit.Of("StartRoomCompositeEgress"));
        Assert.Single(starts, r => r is null);
        Assert.Equal(starts.Single(r => r is not null)!.RecordingId, again?.RecordingId);
    }

    [Fact]
    public async Task WithoutAsking_NothingIsRecorded()
    {
        await _host.LiveDiscussionAsync();
        await Eventually(() => _liveKit.Of("CreateRoom").Any());
        await Task.Delay(200);

        Assert.Empty(_liveKit.Of("StartRoomCompositeEgress"));
    }

    [Fact]
    public async Task OnlyModerators_MayMute()
    {
        var id = await _host.LiveDiscussionAsync();

        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await _host.Media.MuteParticipantAsync(new MuteParticipantRequest { DiscussionId = id, UserId = "speaker" }, As("listener")));

        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, ex.StatusCode);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> attempt) where T : class
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await attempt() is { } result)
            {
                return result;
            }
            Assert.True(DateTime.UtcNow < until, "Media did not store what it should have in time.");
            await Task.Delay(20);
        }
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "LiveKit did not see what it should have in time.");
            await Task.Delay(20);
        }
    }
}
