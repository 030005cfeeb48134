using Google.Protobuf.Collections;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// Reaction totals as the stores keep them: a comment's inside the event that posted it (every read of comments
/// carries them, as a deletion's tombstone is kept there), a speaker's in a row per kind. Reacted events carry the
/// new total, so applying the log in order sets the figures instead of adding to them.
/// </summary>
internal static class ReactionTallies
{
    /// <summary>Counts one more <paramref name="reaction"/> in <paramref name="counts"/>; returns the new total.</summary>
    public static uint Add(RepeatedField<ReactionCount> counts, Reaction reaction)
    {
        foreach (var count in counts)
        {
            if (count.Reaction == reaction)
            {
                return ++count.Count;
            }
        }
        counts.Add(new ReactionCount { Reaction = reaction, Count = 1 });
        return 1;
    }

    /// <summary>Speakers with their totals from rows of (user_id, reaction, count).</summary>
    public static IReadOnlyList<Attendee> WithReactions(IReadOnlyList<Attendee> speakers, IReadOnlyList<(string UserId, Reaction Reaction, long Count)> rows)
    {
        var byUser = speakers.ToDictionary(s => s.User.UserId, StringComparer.Ordinal);
        foreach (var (userId, reaction, count) in rows.OrderBy(r => r.Reaction))
        {
            if (byUser.TryGetValue(userId, out var speaker))
            {
                speaker.Reactions.Add(new ReactionCount { Reaction = reaction, Count = (uint)count });
            }
        }
        return speakers;
    }
}
