using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Discussions.Api;

internal sealed partial class DiscussionsApi
{
    private const uint DefaultEventLimit = 500;
    private const uint MaxEventLimit = 1000;

    public override async Task<PostCommentResponse> PostComment(PostCommentRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        AppendRules.RequireLive(discussion.State);
        if (me.User.Guest && !discussion.GuestsMayComment)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "The host has not allowed guests to comment.");
        }
        var text = TextRules.Body(request.Text, "text", min: 1, max: 2000);
        // Limited before the reply's lookup, so a caller over the limit costs no store read.
        if (await commentLimiter.TryAcquireAsync(me.User.UserId, context.CancellationToken) is { } wait)
        {
            throw RpcErrors.ResourceExhausted($"Too many comments; try again in {Math.Ceiling(wait.TotalSeconds)} s.", wait);
        }
        if (request.ReplyToCommentId.Length > 0
            && await store.GetCommentAsync(discussion.DiscussionId, request.ReplyToCommentId, context.CancellationToken) is null)
        {
            throw RpcErrors.InvalidArgument("reply_to_comment_id", "is not a comment of this discussion.");
        }
        // The id comes with the sequence number, from the log's writer (see CommentIds).
        var comment = new Comment
        {
            Author = me.User,
            Text = text,
            ReplyToCommentId = request.ReplyToCommentId,
            PostedAt = Now(),
        };
        var stored = await log.AppendAsync(Event(discussion.DiscussionId, e => e.CommentPosted = new CommentPosted { Comment = comment }), context.CancellationToken);
        ProductMetrics.CommentsAppended.Add(1);
        return new PostCommentResponse { Comment = stored.CommentPosted.Comment };
    }

    public override async Task<DeleteCommentResponse> DeleteComment(DeleteCommentRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        var commentId = Validate.Text(request.CommentId, "comment_id", 1, 64);
        var comment = await store.GetCommentAsync(discussion.DiscussionId, commentId, context.CancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "No such comment.");
        if (comment.Author.UserId != me.User.UserId && me.Role < Role.CoHost)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "Only its author, the host and co-hosts may delete a comment.");
        }
        if (!comment.Deleted)
        {
            await log.AppendAsync(Event(discussion.DiscussionId, e => e.CommentDeleted = new CommentDeleted { CommentId = commentId, DeletedBy = me.User }), context.CancellationToken);
            if ((await pins.GetAsync(discussion.DiscussionId, context.CancellationToken))?.CommentId == commentId)
            {
                // A deleted comment stays pinned nowhere, with its text.
                await pins.UnpinAsync(discussion.DiscussionId, context.CancellationToken);
                await log.AppendAsync(Event(discussion.DiscussionId, e => e.CommentPinned = new CommentPinned { By = me.User }), context.CancellationToken);
            }
        }
        return new DeleteCommentResponse();
    }

    public override async Task<PinCommentResponse> PinComment(PinCommentRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        RequireRole(me, Role.CoHost, "pin comments");
        AppendRules.RequireLive(discussion.State);
        var commentId = Validate.Text(request.CommentId, "comment_id", 0, 64);
        if (commentId.Length == 0)
        {
            await pins.UnpinAsync(discussion.DiscussionId, context.CancellationToken);
            await log.AppendAsync(Event(discussion.DiscussionId, e => e.CommentPinned = new CommentPinned { By = me.User }), context.CancellationToken);
            return new PinCommentResponse();
        }
        var comment = await store.GetCommentAsync(discussion.DiscussionId, commentId, context.CancellationToken);
        if (comment is null || comment.Deleted)
        {
            throw RpcErrors.InvalidArgument("comment_id", comment is null ? "is not a comment of this discussion." : "names a deleted comment.");
        }
        // The state first, as for hands: a snapshot read between the two shows the pin a moment early, never late.
        await pins.PinAsync(discussion.DiscussionId, comment, context.CancellationToken);
        await log.AppendAsync(Event(discussion.DiscussionId, e => e.CommentPinned = new CommentPinned { CommentId = commentId, By = me.User }), context.CancellationToken);
        return new PinCommentResponse { Pinned = comment };
    }

    public override async Task<ReactResponse> React(ReactRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        AppendRules.RequireLive(discussion.State);
        if (me.User.Guest && !discussion.GuestsMayComment)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "The host has not allowed guests to comment or react.");
        }
        if (request.Reaction == Reaction.Unspecified || !Enum.IsDefined(request.Reaction))
        {
            throw RpcErrors.InvalidArgument("reaction", "must be one of HEART, LAUGH, CLAP, AGREE, THINKING.");
        }
        var reacted = new Reacted { By = me.User, Reaction = request.Reaction };
        switch (request.TargetCase)
        {
            case ReactRequest.TargetOneofCase.CommentId:
                reacted.CommentId = Validate.Text(request.CommentId, "comment_id", 1, 64);
                break;
            case ReactRequest.TargetOneofCase.SpeakerUserId:
                reacted.SpeakerUserId = Validate.Text(request.SpeakerUserId, "speaker_user_id", 1, 64);
                break;
            default:
                throw RpcErrors.InvalidArgument("target", "name a comment_id or a speaker_user_id.");
        }
        // The same bucket as comments: a reaction is a message to everyone in the room too.
        if (await commentLimiter.TryAcquireAsync(me.User.UserId, context.CancellationToken) is { } wait)
        {
            throw RpcErrors.ResourceExhausted($"Too many comments and reactions; try again in {Math.Ceiling(wait.TotalSeconds)} s.", wait);
        }
        if (reacted.CommentId.Length > 0)
        {
            var comment = await store.GetCommentAsync(discussion.DiscussionId, reacted.CommentId, context.CancellationToken);
            if (comment is null || comment.Deleted)
            {
                throw RpcErrors.InvalidArgument("comment_id", comment is null ? "is not a comment of this discussion." : "names a deleted comment.");
            }
        }
        else if (await store.GetAttendeeAsync(discussion.DiscussionId, reacted.SpeakerUserId, context.CancellationToken) is not { Present: true, Attendee.Role: >= Role.Participant })
        {
            throw RpcErrors.InvalidArgument("speaker_user_id", "is not on this discussion's stage.");
        }
        var stored = await log.AppendAsync(Event(discussion.DiscussionId, e => e.Reacted = reacted), context.CancellationToken);
        return new ReactResponse { Reacted = stored.Reacted };
    }

    public override async Task<ListCommentsResponse> ListComments(ListCommentsRequest request, ServerCallContext context)
    {
        var (discussion, _) = await RequireMemberAsync(request.DiscussionId, context);
        var limit = Paging.PageSize(request.Page);
        ulong? after = null;
        var token = request.Page?.PageToken ?? "";
        if (token.Length > 0)
        {
            after = ulong.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
                ? seq
                : throw RpcErrors.InvalidArgument("page.page_token", "is not a token this server gave out.");
        }
        var newestFirst = request.Order != CommentOrder.OldestFirst;
        var found = await store.ListCommentsAsync(discussion.DiscussionId, newestFirst, after, limit + 1, context.CancellationToken);
        var page = found.Take(limit).ToList();
        var response = new ListCommentsResponse
        {
            Page = new PageInfo { NextPageToken = found.Count > limit ? page[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : "" },
        };
        response.Comments.Add(page);
        return response;
    }

    public override async Task<ListEventsResponse> ListEvents(ListEventsRequest request, ServerCallContext context)
    {
        var (discussion, _) = await RequireMemberAsync(request.DiscussionId, context);
        if (request.Limit > MaxEventLimit)
        {
            throw RpcErrors.InvalidArgument("limit", $"must be at most {MaxEventLimit}.");
        }
        var limit = request.Limit == 0 ? DefaultEventLimit : request.Limit;
        var events = await store.ListEventsAsync(discussion.DiscussionId, request.AfterSeq, (int)limit, context.CancellationToken);
        // Events appended since the discussion was read may be in the page; last_seq is never behind them.
        var lastSeq = Math.Max(discussion.LastSeq, events.Count > 0 ? events[^1].Seq : 0);
        var response = new ListEventsResponse { LastSeq = lastSeq, FirstRetainedSeq = lastSeq == 0 ? 0UL : 1UL };
        response.Events.Add(events);
        return response;
    }
}
