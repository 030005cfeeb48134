using System.Text.Json.Nodes;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Media.LiveKit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Media;

/// <summary>
/// Keeps LiveKit in step with discussions, from the Discussions events on the lifecycle topic: a room (and
/// the recording, if the host asked for one) when a discussion starts; the recording stopped and the room
/// deleted when it ends, however it ends (the 3-hour auto-end too); publish rights when roles change;
/// removals, bans and mutes. Each event is applied once — an
/// applied event is marked in the state store, so a redelivery does nothing — and an event LiveKit could
/// not take (unreachable, failing) is left for pub/sub to deliver again.
/// </summary>
public sealed partial class VoiceRooms(IPubSub pubSub, IStateStore state, LiveKitServer liveKit, Recordings recordings, IOptions<MediaOptions> options, ILogger<VoiceRooms> logger) : IHostedLifecycleService, IDisposable
{
    private static readonly TimeSpan AppliedMemory = TimeSpan.FromDays(1);
    private IDisposable? _subscription;

    // Subscribed before the server starts, so a Dapr sidecar asking for subscriptions finds this one.
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            _subscription = pubSub.Subscribe(DiscussionTopics.Lifecycle, OnEventAsync);
            LogOn(logger, options.Value.ServerApi);
        }
        else
        {
            LogOff(logger);
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _subscription, null)?.Dispose();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription?.Dispose();

    private async Task<DeliveryResult> OnEventAsync(PubSubMessage message, CancellationToken cancellationToken)
    {
        DiscussionEvent e;
        try
        {
            e = DiscussionEvent.Parser.ParseFrom(message.Data.Span);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return DeliveryResult.Drop;
        }
        var applied = $"media-applied:{e.DiscussionId}:{e.Seq}";
        if (await state.GetAsync(applied, cancellationToken) is not null)
        {
            return DeliveryResult.Success;
        }
        try
        {
            await ApplyAsync(e, cancellationToken);
        }
        catch (LiveKitException ex) when (ex.Transient)
        {
            LogRetry(logger, e.DiscussionId, e.Seq, e.KindCase, ex.Message);
            return DeliveryResult.Retry;
        }
        catch (LiveKitException ex)
        {
            // LiveKit refused for good (a bad request): trying again would not help.
            LogRefused(logger, e.DiscussionId, e.Seq, e.KindCase, ex.Message);
        }
        await state.TrySaveAsync(applied, new byte[] { 1 }, ttl: AppliedMemory, cancellationToken: cancellationToken);
        return DeliveryResult.Success;
    }

    private async Task ApplyAsync(DiscussionEvent e, CancellationToken cancellationToken)
    {
        var room = e.DiscussionId;
        switch (e.KindCase)
        {
            case DiscussionEvent.KindOneofCase.DiscussionStarted:
                await liveKit.CreateRoomAsync(room, new JsonObject { ["discussion_id"] = room }.ToJsonString(), cancellationToken);
                await recordings.StartIfWantedAsync(room, cancellationToken);
                break;
            case DiscussionEvent.KindOneofCase.DiscussionEnded:
                await recordings.StopAsync(room, cancellationToken);
                await liveKit.DeleteRoomAsync(room, cancellationToken);
                break;
            case DiscussionEvent.KindOneofCase.RoleChanged:
                await liveKit.SetCanSpeakAsync(room, e.RoleChanged.User.UserId, e.RoleChanged.Role >= Role.Participant, cancellationToken);
                break;
            case DiscussionEvent.KindOneofCase.AttendeeLeft:
                await liveKit.RemoveParticipantAsync(room, e.AttendeeLeft.User.UserId, cancellationToken);
                break;
            case DiscussionEvent.KindOneofCase.ParticipantMuted:
                await liveKit.MuteAsync(room, e.ParticipantMuted.User.UserId, cancellationToken);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Voice is on: LiveKit server API at {Api}")]
    private static partial void LogOn(ILogger logger, Uri api);

    [LoggerMessage(Level = LogLevel.Information, Message = "Voice is off: set Media:LiveKitUrl, Media:ApiKey and Media:ApiSecret to turn it on")]
    private static partial void LogOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LiveKit could not apply {Kind} of discussion {DiscussionId} (seq {Seq}) yet: {Reason}; it will be delivered again")]
    private static partial void LogRetry(ILogger logger, string discussionId, ulong seq, DiscussionEvent.KindOneofCase kind, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "LiveKit refused {Kind} of discussion {DiscussionId} (seq {Seq}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string discussionId, ulong seq, DiscussionEvent.KindOneofCase kind, string reason);
}
