using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions;

/// <summary>
/// Raised hands of each discussion, earliest first, in the state building block (ephemeral by design).
/// Updates are read-modify-write with the ETag, retried on conflict, so concurrent raises all land.
/// </summary>
public sealed class RaisedHands(IStateStore state, TimeProvider clock)
{
    // Hands outlive no discussion: the longest one lasts 3 hours.
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(4);

    /// <summary>Creates the discussion's empty queue; called once, when the host starts the discussion.</summary>
    public Task StartAsync(string discussionId, CancellationToken cancellationToken = default) =>
        state.TrySaveAsync(Key(discussionId), Array.Empty<byte>(), null, Ttl, cancellationToken);

    /// <summary>The raised hands, earliest first.</summary>
    public async Task<IReadOnlyList<RaisedHand>> ListAsync(string discussionId, CancellationToken cancellationToken = default) =>
        (await ReadAsync(discussionId, cancellationToken)).Hands.Hands;

    /// <summary>Raises a hand at the back of the queue. Returns the hand, and false when it was already up (it keeps its place).</summary>
    public async Task<(RaisedHand Hand, bool Raised)> RaiseAsync(string discussionId, UserRef user, CancellationToken cancellationToken = default)
    {
        RaisedHand? existing = null;
        var raised = await UpdateAsync(discussionId, hands =>
        {
            existing = hands.FirstOrDefault(h => h.User.UserId == user.UserId);
            if (existing is not null)
            {
                return null;
            }
            var hand = new RaisedHand { User = user, RaisedAt = Timestamp.FromDateTimeOffset(clock.GetUtcNow()) };
            hands.Add(hand);
            return hand;
        }, cancellationToken);
        return raised is not null ? (raised, true) : (existing!, false);
    }

    /// <summary>Lowers a hand; null when it was not raised.</summary>
    public Task<RaisedHand?> LowerAsync(string discussionId, string userId, CancellationToken cancellationToken = default) =>
        UpdateAsync(discussionId, hands =>
        {
            var hand = hands.FirstOrDefault(h => h.User.UserId == userId);
            if (hand is not null)
            {
                hands.Remove(hand);
            }
            return hand;
        }, cancellationToken);

    /// <summary>Puts a hand lowered by a change that was then refused back in its place in the queue (by when it was raised).</summary>
    public Task RestoreAsync(string discussionId, RaisedHand hand, CancellationToken cancellationToken = default) =>
        UpdateAsync(discussionId, hands =>
        {
            if (hands.Any(h => h.User.UserId == hand.User.UserId))
            {
                return null;
            }
            var place = hands.TakeWhile(h => h.RaisedAt.CompareTo(hand.RaisedAt) <= 0).Count();
            hands.Insert(place, hand);
            return hand;
        }, cancellationToken);

    private async Task<RaisedHand?> UpdateAsync(string discussionId, Func<Google.Protobuf.Collections.RepeatedField<RaisedHand>, RaisedHand?> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (hands, etag) = await ReadAsync(discussionId, cancellationToken);
            var result = change(hands.Hands);
            if (result is null)
            {
                return null;
            }
            if (await state.TrySaveAsync(Key(discussionId), hands.ToByteArray(), etag, Ttl, cancellationToken))
            {
                return result;
            }
        }
    }

    private async Task<(ListRaisedHandsResponse Hands, string? ETag)> ReadAsync(string discussionId, CancellationToken cancellationToken)
    {
        // A missing queue (never started, or lost with the state store) reads as empty; the first save then
        // has no ETag to guard it, the one moment a concurrent raise could be lost.
        var entry = await state.GetAsync(Key(discussionId), cancellationToken);
        return entry is null
            ? (new ListRaisedHandsResponse(), null)
            : (ListRaisedHandsResponse.Parser.ParseFrom(entry.Value.Span), entry.ETag);
    }

    private static string Key(string discussionId) => $"hands:{discussionId}";
}
