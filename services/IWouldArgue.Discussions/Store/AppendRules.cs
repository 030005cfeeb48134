using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// The rules an event must keep to be appended, judged against the discussion as it stands inside the transaction
/// that appends it (what the store read there, including the batch's own earlier events). The services check the
/// same things before appending, to answer early; only these checks hold when callers race, in one process or
/// several, because nothing can change between them and the write. Each store gathers the facts its own way; the
/// rules are the same for all of them. A rule either refuses the event (<see cref="RuleBrokenException"/>) or, for a
/// join, settles the role it is stored with.
/// </summary>
public sealed class AppendRules(int maxSpeakers)
{
    /// <summary>The most people with a speaking role (participant and above) at once.</summary>
    public int MaxSpeakers { get; } = maxSpeakers;

    /// <summary>Whether the event's kind needs the discussion's state only (<see cref="AdmitByState"/>).</summary>
    public static bool NeedsState(DiscussionEvent e) => e.KindCase is
        DiscussionEvent.KindOneofCase.DiscussionStarted or DiscussionEvent.KindOneofCase.DiscussionEnded or DiscussionEvent.KindOneofCase.CommentPosted
        or DiscussionEvent.KindOneofCase.CommentPinned or DiscussionEvent.KindOneofCase.Reacted;

    /// <summary>
    /// Starting, ending and commenting against the discussion's state: a discussion starts once and ends once (two
    /// hosts' clicks, or the host and the maximum duration, log one DiscussionEnded); comments, pins and reactions only while it is live.
    /// Returns the state after the event.
    /// </summary>
    public static DiscussionState AdmitByState(DiscussionEvent e, DiscussionState state)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e.KindCase)
        {
            case DiscussionEvent.KindOneofCase.DiscussionStarted:
                RequireStartable(state);
                return DiscussionState.Live;
            case DiscussionEvent.KindOneofCase.DiscussionEnded:
                RequireEndable(state);
                return DiscussionState.Ended;
            case DiscussionEvent.KindOneofCase.CommentPosted or DiscussionEvent.KindOneofCase.CommentPinned or DiscussionEvent.KindOneofCase.Reacted:
                RequireLive(state);
                return state;
            default:
                return state;
        }
    }

    // The checks below are also what the services ask before appending, to answer early with the same refusal.

    /// <summary>Only a scheduled discussion starts (NOT_SCHEDULED).</summary>
    public static void RequireStartable(DiscussionState state)
    {
        if (state != DiscussionState.Scheduled)
        {
            throw new RuleBrokenException(RuleKind.NotNow, "NOT_SCHEDULED", $"The discussion is {Describe(state)}; only a scheduled one can start.");
        }
    }

    /// <summary>A discussion ends once (DISCUSSION_ENDED).</summary>
    public static void RequireEndable(DiscussionState state)
    {
        if (state == DiscussionState.Ended)
        {
            throw new RuleBrokenException(RuleKind.NotNow, "DISCUSSION_ENDED", "The discussion has already ended.");
        }
    }

    /// <summary>Comments, hands and the like only while live (NOT_LIVE).</summary>
    public static void RequireLive(DiscussionState state)
    {
        if (state != DiscussionState.Live)
        {
            throw new RuleBrokenException(RuleKind.NotNow, "NOT_LIVE", $"The discussion is {Describe(state)}, not live.");
        }
    }

    /// <summary>Nobody joins an ended discussion (DISCUSSION_ENDED).</summary>
    public static void RequireJoinable(DiscussionState state)
    {
        if (state == DiscussionState.Ended)
        {
            throw new RuleBrokenException(RuleKind.NotNow, "DISCUSSION_ENDED", "The discussion has ended.");
        }
    }

    /// <summary>A promotion to a speaking role needs a free seat (SPEAKERS_FULL).</summary>
    public static void RequireFreeSeat(int speakers, int maxSpeakers)
    {
        if (speakers >= maxSpeakers)
        {
            throw new RuleBrokenException(RuleKind.NotNow, "SPEAKERS_FULL", $"All {maxSpeakers} speaking seats are taken; demote someone first.");
        }
    }

    /// <summary>
    /// A role change against the person's membership as stored and the speakers present: the person must still be in
    /// the room, the host's role never changes, and a promotion from attendee must find a free seat. The event is made
    /// to say the role the person really had.
    /// </summary>
    public void AdmitRoleChange(RoleChanged change, StoredAttendee? target, int speakers)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (target is not { IsMember: true })
        {
            throw new RuleBrokenException(RuleKind.Gone, "NOT_IN_DISCUSSION", "That person is not in this discussion.");
        }
        if (target.Attendee.Role == Role.Host || change.Role == Role.Host)
        {
            throw new RuleBrokenException(RuleKind.NotAllowed, "HOST_ROLE", "The host's role cannot be changed or given.");
        }
        if (target.Attendee.Role < Role.Participant && change.Role >= Role.Participant)
        {
            RequireFreeSeat(speakers, MaxSpeakers);
        }
        change.PreviousRole = target.Attendee.Role;
    }

    /// <summary>
    /// A (re)join against what is stored of the person: nobody joins an ended discussion or one they are banned from.
    /// The role is settled here: someone already present keeps theirs; someone removed or banned (and since unbanned)
    /// comes back as an attendee, never with the role they were removed from; a returning speaker gets their seat back
    /// only if one is free; the host's role comes only with creating the discussion.
    /// </summary>
    public void AdmitJoin(AttendeeJoined join, DiscussionState state, StoredAttendee? earlier, bool banned, int speakers)
    {
        ArgumentNullException.ThrowIfNull(join);
        RequireJoinable(state);
        if (banned)
        {
            throw new RuleBrokenException(RuleKind.NotAllowed, "BANNED", "You were banned from this discussion.");
        }
        if (earlier is { Present: true })
        {
            join.Role = earlier.Attendee.Role;
            return;
        }
        var wasPutOut = earlier?.LeftReason is LeaveReason.Removed or LeaveReason.Banned;
        var hostRoleClaimedLate = join.Role == Role.Host && earlier is not null && earlier.Attendee.Role != Role.Host;
        var noSeat = join.Role is Role.Participant or Role.CoHost && speakers >= MaxSpeakers;
        if (wasPutOut || hostRoleClaimedLate || noSeat)
        {
            join.Role = Role.Attendee;
        }
    }

    private static string Describe(DiscussionState state) => state switch
    {
        DiscussionState.Live => "live",
        DiscussionState.Ended => "over",
        _ => "scheduled",
    };
}
