using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Media.LiveKit;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Media;

/// <summary>
/// A discussion's recording: an audio-only room-composite egress to a file, its LiveKit egress id, when it
/// started (comments are aligned to it in playback) and, once LiveKit's egress_ended webhook arrives, where
/// the file is. Stored with the discussion in the Discussions store, so it lasts as long as the discussion.
/// </summary>
public sealed class Recordings(IDiscussionStore store, LiveKitServer liveKit, RecordingFiles files, TimeProvider clock)
{
    // A claim to start a recording outlives any one attempt (LiveKit's call times out well before), and a
    // crash's leftover claim lets the next attempt through after this long.
    private static readonly TimeSpan StartClaimLife = TimeSpan.FromMinutes(1);

    /// <summary>Where a ready recording downloads from (served by the archive, with range requests).</summary>
    public static string DownloadPathOf(string discussionId) => $"/archive/{discussionId}/recording";

    /// <summary>The discussion's recording, if one was ever started.</summary>
    public async Task<Recording?> GetAsync(string discussionId, CancellationToken cancellationToken) =>
        (await store.GetRecordingAsync(discussionId, cancellationToken)).Recording;

    /// <summary>Starts the recording the host asked for when creating the discussion, if they did (and nobody else is starting it).</summary>
    public async Task StartIfWantedAsync(string discussionId, CancellationToken cancellationToken)
    {
        if ((await store.GetRecordingAsync(discussionId, cancellationToken)).Wanted)
        {
            await StartAsync(discussionId, cancellationToken);
        }
    }

    /// <summary>
    /// Starts recording unless a recording is already running (returns it) or being started right now by
    /// another call (returns null): a slow egress start and a redelivered event, or two clicks, record once.
    /// </summary>
    public async Task<Recording?> StartAsync(string discussionId, CancellationToken cancellationToken)
    {
        if (await GetAsync(discussionId, cancellationToken) is { State: RecordingState.Active } running)
        {
            return running;
        }
        var now = clock.GetUtcNow();
        if (!await store.TryClaimRecordingStartAsync(discussionId, now, now - StartClaimLife, cancellationToken))
        {
            return null;
        }
        try
        {
            // Another start may have finished between the check above and the claim.
            if (await GetAsync(discussionId, cancellationToken) is { State: RecordingState.Active } started)
            {
                return started;
            }
            var (file, output) = files.Target(discussionId, now);
            var egressId = await liveKit.StartRecordingAsync(discussionId, output, cancellationToken);
            var recording = new Recording
            {
                RecordingId = egressId,
                DiscussionId = discussionId,
                State = RecordingState.Active,
                StartedAt = Timestamp.FromDateTimeOffset(now),
            };
            await store.SaveRecordingAsync(recording, file, cancellationToken);
            return recording;
        }
        finally
        {
            await store.ReleaseRecordingStartAsync(discussionId, CancellationToken.None);
        }
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
        await store.SaveRecordingAsync(recording, cancellationToken: cancellationToken);
        return recording;
    }

    /// <summary>
    /// Records how an egress ended (from LiveKit's webhook): ready to download, or failed. A file on disk is
    /// kept where the worker says it wrote it (<paramref name="writtenTo"/>: a relative path as asked for comes
    /// back absolute); an S3 object is where it was asked to go.
    /// </summary>
    public async Task EndedAsync(string discussionId, string egressId, bool succeeded, string? writtenTo, TimeSpan? duration, CancellationToken cancellationToken)
    {
        var (_, recording, file) = await store.GetRecordingAsync(discussionId, cancellationToken);
        if (recording is null || recording.RecordingId != egressId)
        {
            return;
        }
        recording.State = succeeded ? RecordingState.Ready : RecordingState.Failed;
        recording.DownloadPath = succeeded ? DownloadPathOf(discussionId) : "";
        if (writtenTo is { Length: > 0 } && !RecordingFiles.IsInS3(file))
        {
            file = writtenTo;
        }
        if (duration is { } length)
        {
            recording.EndedAt = Timestamp.FromDateTimeOffset(recording.StartedAt.ToDateTimeOffset() + length);
        }
        recording.EndedAt ??= Timestamp.FromDateTimeOffset(clock.GetUtcNow());
        await store.SaveRecordingAsync(recording, file, cancellationToken);
    }
}
