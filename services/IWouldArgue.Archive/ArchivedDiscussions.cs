using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Media;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Archive;

/// <summary>
/// Ended discussions within their retention, for the people who were in them (banned people excepted):
/// listed, exported, replayed. The export is a ZIP written straight to its destination (never built in
/// memory), format "iwouldargue-export/1":
/// <list type="bullet">
/// <item><c>discussion.json</c>: <c>format</c>, the discussion, its people (<c>attendees</c>), the recording (if any);</item>
/// <item><c>comments.jsonl</c>: one comment per line with <c>offset_ms</c> from the discussion's start and
/// <c>recording_offset_ms</c> from the recording's start (absent without a recording); deleted comments keep
/// their place without text (deleting a comment scrubs its text from the log too);</item>
/// <item><c>events.jsonl</c>: every event of the log with its <c>offset_ms</c>;</item>
/// <item><c>attachments/{id}-{file name}</c>: the shared files still up;</item>
/// <item><c>recording/{discussion id}.ogg</c>: the recording (Ogg Opus), when it is ready and its file reachable from this server.</item>
/// </list>
/// JSON objects inside are protobuf JSON of the iwouldargue.v1 messages.
/// </summary>
public sealed class ArchivedDiscussions(IDiscussionStore store, IBlobStore blobs, RecordingFiles recordings, IOptions<ArchiveOptions> options, TimeProvider clock)
{
    /// <summary>The export format's name and version.</summary>
    public const string Format = "iwouldargue-export/1";

    private const int Page = 500;
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    /// <summary>The ended discussions the caller was in, latest first.</summary>
    public Task<IReadOnlyList<Discussion>> ListAsync(Caller caller, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.EnsureAccount("list archived discussions");
        return store.ListEndedAsync(caller.UserId, clock.GetUtcNow() - options.Value.Retention, offset, limit, cancellationToken);
    }

    /// <summary>An ended discussion within retention that the caller was in; NOT_FOUND / PERMISSION_DENIED / FAILED_PRECONDITION otherwise.</summary>
    public async Task<Discussion> RequireAsync(Caller caller, string? discussionId, CancellationToken cancellationToken)
    {
        var (discussion, membership) = await store.FindWithCallerAsync(caller, discussionId, cancellationToken);
        if (discussion is null || membership is null)
        {
            throw RpcErrors.Of(StatusCode.NotFound, "No such discussion in your archive (discussions stay for 7 days after they end).");
        }
        if (membership.LeftReason == LeaveReason.Banned)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "You were banned from this discussion.");
        }
        if (discussion.State != DiscussionState.Ended)
        {
            throw RpcErrors.WithReason(StatusCode.FailedPrecondition, "The discussion has not ended yet; it is archived when it ends.", "NOT_ENDED");
        }
        if (discussion.EndedAt.ToDateTimeOffset() < clock.GetUtcNow() - options.Value.Retention)
        {
            throw RpcErrors.Of(StatusCode.NotFound, "This discussion is no longer kept (discussions stay for 7 days after they end).");
        }
        return discussion;
    }

    /// <summary>Every event of the log, in order, page by page.</summary>
    public async IAsyncEnumerable<DiscussionEvent> EventsAsync(string discussionId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ulong after = 0;
        while (true)
        {
            var page = await store.ListEventsAsync(discussionId, after, Page, cancellationToken);
            foreach (var e in page)
            {
                yield return e;
            }
            if (page.Count < Page)
            {
                yield break;
            }
            after = page[^1].Seq;
        }
    }

    /// <summary>The recording's start, if the discussion was recorded.</summary>
    public async Task<Recording?> RecordingAsync(string discussionId, CancellationToken cancellationToken) =>
        (await store.GetRecordingAsync(discussionId, cancellationToken)).Recording;

    /// <summary>The recording's audio (seekable), when it is ready and its file reachable from here; null otherwise.</summary>
    public async Task<Stream?> OpenRecordingAsync(string discussionId, CancellationToken cancellationToken) =>
        await store.GetRecordingAsync(discussionId, cancellationToken) is (_, { State: RecordingState.Ready }, { } file)
            ? await recordings.OpenAsync(file, cancellationToken)
            : null;

    /// <summary>
    /// Starts writing the export ZIP of <paramref name="discussion"/> into a pipe on the thread pool (the ZIP
    /// writer makes some synchronous writes, which a server's response body refuses); read it from
    /// <c>Zip</c> as it is made — the pipe holds at most 256 KiB — then await <c>Writing</c> for errors.
    /// </summary>
    public (Stream Zip, Task Writing) StartExport(Discussion discussion, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024));
        var writing = Task.Run(async () =>
        {
            try
            {
                await using (var stream = pipe.Writer.AsStream(leaveOpen: true))
                {
                    await ExportAsync(discussion, stream, cancellationToken);
                }
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
                throw;
            }
        }, cancellationToken);
        return (pipe.Reader.AsStream(), writing);
    }

    /// <summary>Writes the export ZIP of <paramref name="discussion"/> to <paramref name="destination"/> (which need not seek).</summary>
    public async Task ExportAsync(Discussion discussion, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discussion);
        var id = discussion.DiscussionId;
        var start = discussion.StartedAt?.ToDateTimeOffset() ?? discussion.EndedAt.ToDateTimeOffset();
        var recording = await RecordingAsync(id, cancellationToken);
        var recordingStart = recording?.StartedAt?.ToDateTimeOffset();
        await using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);

        var attendees = await store.ListAttendeesAsync(id, 0, int.MaxValue, cancellationToken);
        await WriteTextAsync(zip, "discussion.json", $$"""{"format":"{{Format}}","discussion":{{Json.Format(discussion)}},"attendees":[{{string.Join(",", attendees.Select(a => Json.Format(a)))}}],"recording":{{(recording is null ? "null" : Json.Format(recording))}}}""", cancellationToken);

        // One entry at a time (the destination need not seek), so the log is read once per file.
        await using (var events = new StreamWriter(zip.CreateEntry("events.jsonl", CompressionLevel.Optimal).Open(), new UTF8Encoding(false)))
        {
            await foreach (var e in EventsAsync(id, cancellationToken))
            {
                await events.WriteLineAsync($$"""{"offset_ms":{{(long)(e.OccurredAt.ToDateTimeOffset() - start).TotalMilliseconds}},"event":{{Json.Format(e)}}}""");
            }
        }
        await using (var comments = new StreamWriter(zip.CreateEntry("comments.jsonl", CompressionLevel.Optimal).Open(), new UTF8Encoding(false)))
        {
            await foreach (var e in EventsAsync(id, cancellationToken))
            {
                if (e.CommentPosted is not { } posted)
                {
                    continue;
                }
                var at = e.OccurredAt.ToDateTimeOffset();
                var recordingOffset = recordingStart is { } rs ? $",\"recording_offset_ms\":{(long)(at - rs).TotalMilliseconds}" : "";
                await comments.WriteLineAsync($$"""{"offset_ms":{{(long)(at - start).TotalMilliseconds}}{{recordingOffset}},"comment":{{Json.Format(posted.Comment)}}}""");
            }
        }
        await foreach (var attachment in AttachmentsAsync(id, cancellationToken))
        {
            await using var content = await blobs.OpenReadAsync(attachment.Sha256, cancellationToken);
            if (content is null)
            {
                continue;
            }
            await using var entry = zip.CreateEntry($"attachments/{attachment.AttachmentId}-{attachment.FileName}", CompressionLevel.NoCompression).Open();
            await content.CopyToAsync(entry, cancellationToken);
        }
        if (await OpenRecordingAsync(id, cancellationToken) is { } audio)
        {
            await using (audio)
            {
                await using var entry = zip.CreateEntry($"recording/{id}.ogg", CompressionLevel.NoCompression).Open();
                await audio.CopyToAsync(entry, cancellationToken);
            }
        }
    }

    private async IAsyncEnumerable<Attachment> AttachmentsAsync(string discussionId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var offset = 0; ; offset += Page)
        {
            var page = await store.ListAttachmentsAsync(discussionId, offset, Page, cancellationToken);
            foreach (var a in page)
            {
                yield return a;
            }
            if (page.Count < Page)
            {
                yield break;
            }
        }
    }

    private static async Task WriteTextAsync(ZipArchive zip, string name, string text, CancellationToken cancellationToken)
    {
        await using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await entry.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }
}
