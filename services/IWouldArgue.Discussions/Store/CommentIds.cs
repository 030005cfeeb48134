using IWouldArgue.Contracts.V1;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// Comment ids, given by the event log's writer when it numbers the comment: "c", then the comment's sequence
/// number (8 bytes) and 64 random bits in URL-safe base64 (23 characters in all). Comments are stored by
/// (discussion, seq), so a lookup by id reads the sequence number from the id and needs no index of its own:
/// measured with the store benchmark, that index was ~20% of the append when 50 discussions post at once.
/// Ids of any other form (made before schema 7, or given by whoever appended the comment) are found through
/// the comment_ids table, which holds only those.
/// </summary>
public static class CommentIds
{
    private const string Prefix = "c";

    /// <summary>The id of the comment numbered <paramref name="seq"/>.</summary>
    public static string New(ulong seq)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, seq);
        RandomNumberGenerator.Fill(bytes[8..]);
        return Prefix + Base64Url.EncodeToString(bytes);
    }

    /// <summary>The sequence number an id of this form carries; false for any other string.</summary>
    public static bool TrySeqOf(string commentId, out ulong seq)
    {
        ArgumentNullException.ThrowIfNull(commentId);
        Span<byte> bytes = stackalloc byte[16];
        seq = 0;
        if (commentId.Length != 23 || !commentId.StartsWith(Prefix, StringComparison.Ordinal)
            || Base64Url.DecodeFromChars(commentId.AsSpan(1), bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 16)
        {
            return false;
        }
        seq = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return true;
    }

    /// <summary>
    /// Numbers a posted comment as the store appends it: its seq and time from the event, an id carrying the seq unless
    /// the appender gave one. True when the id says nothing of where the comment is, so the store must keep an index row.
    /// </summary>
    public static bool Number(DiscussionEvent posted)
    {
        ArgumentNullException.ThrowIfNull(posted);
        var comment = posted.CommentPosted.Comment;
        comment.Seq = posted.Seq;
        if (comment.CommentId.Length == 0)
        {
            comment.CommentId = New(posted.Seq);
        }
        comment.PostedAt ??= posted.OccurredAt;
        return !TrySeqOf(comment.CommentId, out var carried) || carried != posted.Seq;
    }
}
