using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Media.LiveKit;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Media.Api;

/// <summary>
/// iwouldargue.v1.MediaService: voice tokens by role, muting (through the discussion's event log, so it is
/// durable, seen by everyone, and applied in LiveKit by <see cref="VoiceRooms"/>), and recording.
/// </summary>
internal sealed class MediaApi(
    IDiscussionStore store,
    EventAppender log,
    LiveKitTokens tokens,
    Recordings recordings,
    CallerResolver callers,
    IOptions<MediaOptions> options) : MediaService.MediaServiceBase
{
    public override async Task<JoinVoiceResponse> JoinVoice(JoinVoiceRequest request, ServerCallContext context)
    {
        var (discussion, me, caller) = await RequireMemberAsync(request.DiscussionId, context);
        RequireVoice();
        if (discussion.State != DiscussionState.Live)
        {
            throw RpcErrors.WithReason(StatusCode.FailedPrecondition, "Voice opens when the host starts the discussion, and closes when it ends.", "DISCUSSION_NOT_LIVE");
        }
        var canSpeak = me.Role >= Role.Participant;
        var (token, expires) = tokens.ForParticipant(discussion.DiscussionId, caller.UserId, caller.DisplayName, canSpeak);
        return new JoinVoiceResponse
        {
            ServerUrl = options.Value.LiveKitUrl!.ToString(),
            Token = token,
            TokenExpiresAt = Timestamp.FromDateTimeOffset(expires),
            CanSpeak = canSpeak,
        };
    }

    public override async Task<MuteParticipantResponse> MuteParticipant(MuteParticipantRequest request, ServerCallContext context)
    {
        var (discussion, me, _) = await RequireMemberAsync(request.DiscussionId, context);
        RequireModerator(me, "mute speakers");
        RequireVoice();
        var target = await store.GetAttendeeAsync(discussion.DiscussionId, request.UserId ?? "", context.CancellationToken);
        if (target is not { IsMember: true } || target.Attendee.Role < Role.Participant)
        {
            throw RpcErrors.InvalidArgument("user_id", "is not a speaker in this discussion.");
        }
        if (target.Attendee.Role == Role.Host && me.Role != Role.Host)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "Only the host may mute the host.");
        }
        await log.AppendAsync(new DiscussionEvent
        {
            DiscussionId = discussion.DiscussionId,
            ParticipantMuted = new ParticipantMuted { User = target.Attendee.User, MutedBy = me.User },
        }, context.CancellationToken);
        return new MuteParticipantResponse();
    }

    public override async Task<StartRecordingResponse> StartRecording(StartRecordingRequest request, ServerCallContext context)
    {
        var (discussion, me, _) = await RequireMemberAsync(request.DiscussionId, context);
        if (me.Role != Role.Host)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "Only the host may record the discussion.");
        }
        RequireVoice();
        if (discussion.State != DiscussionState.Live)
        {
            throw RpcErrors.WithReason(StatusCode.FailedPrecondition, "Recording starts once the discussion is live.", "DISCUSSION_NOT_LIVE");
        }
        var recording = await CallLiveKit(() => recordings.StartAsync(discussion.DiscussionId, context.CancellationToken))
            ?? throw RpcErrors.Of(StatusCode.Aborted, "The recording is being started already; look again in a moment.");
        return new StartRecordingResponse { Recording = recording };
    }

    public override async Task<StopRecordingResponse> StopRecording(StopRecordingRequest request, ServerCallContext context)
    {
        var (discussion, me, _) = await RequireMemberAsync(request.DiscussionId, context);
        if (me.Role != Role.Host)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "Only the host may stop the recording.");
        }
        RequireVoice();
        var recording = await CallLiveKit(() => recordings.StopAsync(discussion.DiscussionId, context.CancellationToken))
            ?? throw RpcErrors.Of(StatusCode.NotFound, "This discussion has no recording.");
        return new StopRecordingResponse { Recording = recording };
    }

    public override async Task<GetRecordingResponse> GetRecording(GetRecordingRequest request, ServerCallContext context)
    {
        var (discussion, _, _) = await RequireMemberAsync(request.DiscussionId, context);
        var recording = await recordings.GetAsync(discussion.DiscussionId, context.CancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "This discussion has no recording.");
        return new GetRecordingResponse { Recording = recording };
    }

    private async Task<(Discussion Discussion, Attendee Me, Caller Caller)> RequireMemberAsync(string? discussionId, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var (discussion, me) = await store.RequireMemberAsync(caller, discussionId, context.CancellationToken);
        return (discussion, me, caller);
    }

    // After the caller's role is checked: someone who may not do a thing hears that, not how the server is set up.
    private void RequireVoice()
    {
        if (!options.Value.Enabled)
        {
            throw RpcErrors.WithReason(StatusCode.FailedPrecondition, "Voice is not set up on this server.", "VOICE_DISABLED");
        }
    }

    private static void RequireModerator(Attendee me, string action)
    {
        if (me.Role < Role.CoHost)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, $"Only the host and co-hosts may {action}.");
        }
    }

    private static async Task<T> CallLiveKit<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (LiveKitException e) when (e.Transient)
        {
            throw RpcErrors.Of(StatusCode.Unavailable, "The voice server is not answering right now; try again shortly.");
        }
        catch (LiveKitException e)
        {
            throw RpcErrors.Of(StatusCode.FailedPrecondition, $"The voice server refused: {e.Message}");
        }
    }
}
