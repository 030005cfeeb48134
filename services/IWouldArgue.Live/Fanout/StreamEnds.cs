using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Live.Fanout;

/// <summary>Which events end a person's Watch stream: one rule for catch-up from the log and for live frames.</summary>
internal static class StreamEnds
{
    /// <summary>The discussion ended: everyone's stream completes.</summary>
    public static readonly WatcherEnd DiscussionEnded = new(WatcherEndKind.Completed, "the discussion ended");

    /// <summary>Whether any of the events could end a stream (most batches are comments and cannot).</summary>
    public static bool MayEnd(IEnumerable<DiscussionEvent> events) =>
        events.Any(e => e.KindCase is DiscussionEvent.KindOneofCase.DiscussionEnded or DiscussionEvent.KindOneofCase.AttendeeLeft);

    /// <summary>
    /// How <paramref name="events"/>, in order, end <paramref name="userId"/>'s stream, or null when it goes on:
    /// the discussion ending; the person leaving, removed or banned, unless they joined again later in the
    /// same events. Being counted out while disconnected ends nothing: watching is how they come back.
    /// </summary>
    public static WatcherEnd? Of(IEnumerable<DiscussionEvent> events, string userId)
    {
        WatcherEnd? end = null;
        foreach (var e in events)
        {
            switch (e.KindCase)
            {
                case DiscussionEvent.KindOneofCase.DiscussionEnded:
                    return DiscussionEnded;
                case DiscussionEvent.KindOneofCase.AttendeeJoined when e.AttendeeJoined.User.UserId == userId:
                    end = null;
                    break;
                case DiscussionEvent.KindOneofCase.AttendeeLeft when e.AttendeeLeft.User.UserId == userId:
                    end = e.AttendeeLeft.Reason switch
                    {
                        LeaveReason.Disconnected => end,
                        LeaveReason.Removed => new WatcherEnd(WatcherEndKind.Denied, "You were removed from this discussion."),
                        LeaveReason.Banned => new WatcherEnd(WatcherEndKind.Denied, "You were banned from this discussion."),
                        _ => new WatcherEnd(WatcherEndKind.Completed, "you left the discussion"),
                    };
                    break;
            }
        }
        return end;
    }
}
