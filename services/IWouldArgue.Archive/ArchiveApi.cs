using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Archive;

/// <summary>iwouldargue.v1.ArchiveService: the archive list, the export as a stream of ZIP chunks, and replay in time.</summary>
internal sealed class ArchiveApi(ArchivedDiscussions archive, CallerResolver callers, TimeProvider clock) : ArchiveService.ArchiveServiceBase
{
    public override async Task<ListArchivedDiscussionsResponse> ListArchivedDiscussions(ListArchivedDiscussionsRequest request, ServerCallContext context)
    {
        var (offset, size) = Paging.Page(request.Page);
        var found = await archive.ListAsync(callers.Resolve(context), offset, size + 1, context.CancellationToken);
        var response = new ListArchivedDiscussionsResponse { Page = Paging.Next(offset, size, found.Count) };
        response.Discussions.Add(found.Take(size));
        return response;
    }

    public override async Task ExportDiscussion(ExportDiscussionRequest request, IServerStreamWriter<ExportDiscussionResponse> responseStream, ServerCallContext context)
    {
        var discussion = await archive.RequireAsync(callers.Resolve(context), request.DiscussionId, context.CancellationToken);
        var (zip, writing) = archive.StartExport(discussion, context.CancellationToken);
        await using (zip)
        {
            await responseStream.WriteChunksAsync(zip, chunk => new ExportDiscussionResponse { Chunk = chunk }, context.CancellationToken);
        }
        await writing;
    }

    public override async Task ReplayDiscussion(ReplayDiscussionRequest request, IServerStreamWriter<ReplayDiscussionResponse> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        var discussion = await archive.RequireAsync(callers.Resolve(context), request.DiscussionId, cancellation);
        var speed = request.Speed switch
        {
            ReplaySpeed.Unspecified or ReplaySpeed._1X => 1,
            ReplaySpeed._2X => 2,
            ReplaySpeed._4X => 4,
            _ => throw RpcErrors.InvalidArgument("speed", "must be 1x, 2x or 4x."),
        };
        var from = request.FromOffset?.ToTimeSpan() ?? TimeSpan.Zero;
        if (from < TimeSpan.Zero)
        {
            throw RpcErrors.InvalidArgument("from_offset", "must not be negative.");
        }
        var start = discussion.StartedAt?.ToDateTimeOffset() ?? discussion.EndedAt.ToDateTimeOffset();
        var recordingStart = (await archive.RecordingAsync(discussion.DiscussionId, cancellation))?.StartedAt?.ToDateTimeOffset();
        var began = clock.GetTimestamp();
        await foreach (var e in archive.EventsAsync(discussion.DiscussionId, cancellation))
        {
            var offset = e.OccurredAt.ToDateTimeOffset() - start;
            if (offset < from)
            {
                continue;
            }
            // Wait until this event's moment at the chosen speed, measured from when the replay began.
            var due = (offset - from) / speed;
            var waited = clock.GetElapsedTime(began);
            if (due > waited)
            {
                await Task.Delay(due - waited, clock, cancellation);
            }
            if (e.CommentPosted is { } posted)
            {
                // Replayed in time: a comment starts with no reactions, as it was posted; the Reacted events that
                // follow bring its totals. (The log's copy carries the totals as of the end.)
                posted.Comment.Reactions.Clear();
            }
            var frame = new ReplayDiscussionResponse { Event = e, Offset = Duration.FromTimeSpan(offset) };
            if (recordingStart is { } rs)
            {
                frame.RecordingOffset = Duration.FromTimeSpan(e.OccurredAt.ToDateTimeOffset() - rs);
            }
            await responseStream.WriteAsync(frame, cancellation);
        }
    }
}
