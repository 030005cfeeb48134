using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions;

/// <summary>
/// The comment pinned in each discussion, whole, in the state building block beside the raised hands, so a snapshot
/// shows it without searching the log. The log holds the CommentPinned events (ids only); a deleted pinned comment is
/// taken down here with its text.
/// </summary>
public sealed class PinnedComments(IStateStore state)
{
    // Outlives the longest discussion (3 hours), like the raised hands.
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(4);

    /// <summary>The pinned comment, or null.</summary>
    public async Task<Comment?> GetAsync(string discussionId, CancellationToken cancellationToken = default) =>
        await state.GetAsync(Key(discussionId), cancellationToken) is { Value.IsEmpty: false } entry ? Comment.Parser.ParseFrom(entry.Value.Span) : null;

    /// <summary>Pins <paramref name="comment"/>, replacing any pinned before.</summary>
    public Task PinAsync(string discussionId, Comment comment, CancellationToken cancellationToken = default) =>
        state.TrySaveAsync(Key(discussionId), Google.Protobuf.MessageExtensions.ToByteArray(comment), null, Ttl, cancellationToken);

    /// <summary>Takes the pin down.</summary>
    public Task UnpinAsync(string discussionId, CancellationToken cancellationToken = default) =>
        state.TryDeleteAsync(Key(discussionId), null, cancellationToken);

    private static string Key(string discussionId) => $"pinned:{discussionId}";
}
