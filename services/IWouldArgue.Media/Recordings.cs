using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Media.LiveKit;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Media;

/// <summary>
/// A discussion's recording: an audio-only room-composite egress to a file, its LiveKit egress id, when it
/// started (comments are aligned to it in playback) and, once LiveKit's egress_ended webhook arrives, where
/// the file is. Kept in the state store under <c>recording:{discussion}</c>.
/// </summary>
/// <remarks>The state store is not a database: the archive should copy a finished recording's record into durable storage.</remarks>
public sealed class Recordings(IStateStore state, LiveKitServer liveKit, IOptions<MediaOptions> options, TimeProvider clock)
{
    /// <summary>The discussion's recording, if one was ever started.</summary>
    public async Task<Recording?> GetAsync(string discussionId, CancellationToken cancellationToken) =>
        await state.GetAsync(Key(discussionId), cancellationToken) is { } entry ? Recording.Parser.ParseFrom(entry.Value.Span) : null;

    /// <summary>Starts recording unless a recording is already running; returns it.</summary>
    public async Task<Recording> StartAsync(string discussionId, CancellationToken cancellationToken)
    {
        if (await GetAsync(discussionId, cancellationToken) is { State: RecordingState.Active } running)
        {
            return running;
        }
        var now = clock.GetUtcNow();
        var file = $"{options.Value.RecordingPath.TrimEnd('/')}/{discussionId}-{now:yyyyMMddTHHmmssZ}.ogg";
        var egressId = await liveKit.StartRecordingAsync(discussionId, file, cancellationToken);
        var recording = new Recording
        {
            RecordingId = egressId,
            DiscussionId = discussionId,
            State = RecordingState.Active,
            StartedAt = Timestamp.FromDateTimeOffset(now),
        };
        await SaveAsync(recording, cancellationToken);
        return recording;
    }

    /// <summary>Stops a running recording (LiveKit then finishes the file and calls the webhook); returns it, or null when none ran.</summary>
    public async Task<Recording?> StopAsync(string discussionId, CancellationToken cancellationToken)
    {
        var recording = await GetAsync(discussionId, cancellationToken);
        if (recording is not { State: RecordingState.Active })
        {
            return recording;
        }
        await liveKit.StopRecordingAsync(recording.RecordingId, cancellationToken);
        recording.State = RecordingState.Finishing;
        recording.EndedAt = Timestamp.FromDateTimeOffset(clock.GetUtcNow());
        await SaveAsync(recording, cancellationToken);
        return recording;
    }

    /// <summary>Records how an egress ended (from LiveKit's webhook): the file's location, or the failure.</summary>
    public async Task EndedAsync(string discussionId, string egressId, bool succeeded, string? location, TimeSpan? duration, CancellationToken cancellationToken)
    {
        var recording = await GetAsync(discussionId, cancellationToken);
        if (recording is null || recording.RecordingId != egressId)
        {
            return;
        }
        recording.State = succeeded ? RecordingState.Ready : RecordingState.Failed;
        recording.DownloadPath = location ?? "";
        if (duration is { } length)
        {
            recording.EndedAt = Timestamp.FromDateTimeOffset(recording.StartedAt.ToDateTimeOffset() + length);
        }
        recording.EndedAt ??= Timestamp.FromDateTimeOffset(clock.GetUtcNow());
        await SaveAsync(recording, cancellationToken);
    }

    private Task<bool> SaveAsync(Recording recording, CancellationToken cancellationToken) =>
        state.TrySaveAsync(Key(recording.DiscussionId), recording.ToByteArray(), cancellationToken: cancellationToken);

    private static string Key(string discussionId) => $"recording:{discussionId}";
}
