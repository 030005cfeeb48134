using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions.Events;

/// <summary>Topics and message types of discussion events on pub/sub (Live's topics: see <see cref="LiveRoutes"/>).</summary>
public static class DiscussionTopics
{
    /// <summary>The CloudEvent type of a published <c>iwouldargue.v1.DiscussionEvent</c>.</summary>
    public const string EventType = "iwouldargue.v1.DiscussionEvent";

    /// <summary>
    /// The topic of the events other services follow — a discussion starting or ending, roles changing,
    /// people removed or banned, speakers muted — but not comments or hands, which only Live fans out.
    /// </summary>
    public const string Lifecycle = "discussion-lifecycle";

    /// <summary>Whether <paramref name="e"/> goes to <see cref="Lifecycle"/>.</summary>
    public static bool IsLifecycle(DiscussionEvent e) => e?.KindCase switch
    {
        DiscussionEvent.KindOneofCase.DiscussionStarted or DiscussionEvent.KindOneofCase.DiscussionEnded
            or DiscussionEvent.KindOneofCase.RoleChanged or DiscussionEvent.KindOneofCase.ParticipantMuted => true,
        DiscussionEvent.KindOneofCase.AttendeeLeft => e.AttendeeLeft.Reason is LeaveReason.Removed or LeaveReason.Banned,
        _ => false,
    };
}
