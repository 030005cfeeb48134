using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Store;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Discussions;

/// <summary>
/// Presence: a member whose live connections all closed is counted out (AttendeeLeft, DISCONNECTED) and
/// counted back in when they reconnect (AttendeeJoined, reconnected). They stay a member throughout. Both are
/// ordinary events with their own sequence numbers; the store's projection ignores one that a stronger
/// change overtook (a removal right as they reconnect), though the event itself stays in the log.
/// </summary>
public sealed class PresenceLog(IDiscussionStore store, IServiceProvider services)
{
    // In the process that hosts Discussions, events go through its appender and are published at once;
    // elsewhere (a Live instance sharing the database) they are appended directly and the outbox sweep
    // of the Discussions service publishes them.
    private readonly EventAppender? _appender = services.GetService<EventAppender>();

    /// <summary>Counts a disconnected member back in; does nothing for anyone else.</summary>
    public async Task MarkConnectedAsync(string discussionId, string userId, CancellationToken cancellationToken = default)
    {
        var membership = await store.GetAttendeeAsync(discussionId, userId, cancellationToken);
        if (membership is { Present: false, LeftReason: LeaveReason.Disconnected })
        {
            await AppendAsync(discussionId, e => e.AttendeeJoined = new AttendeeJoined { User = membership.Attendee.User, Role = membership.Attendee.Role, Reconnected = true }, cancellationToken);
        }
    }

    /// <summary>Counts a present member out because their connections closed; does nothing for anyone else.</summary>
    public async Task MarkDisconnectedAsync(string discussionId, string userId, CancellationToken cancellationToken = default)
    {
        var (discussion, membership) = await store.GetWithMembershipAsync(discussionId, userId, cancellationToken);
        if (membership is { Present: true } && discussion!.State != DiscussionState.Ended)
        {
            await AppendAsync(discussionId, e => e.AttendeeLeft = new AttendeeLeft { User = membership.Attendee.User, Reason = LeaveReason.Disconnected }, cancellationToken);
        }
    }

    private async Task AppendAsync(string discussionId, Action<DiscussionEvent> fill, CancellationToken cancellationToken)
    {
        var e = new DiscussionEvent { DiscussionId = discussionId };
        fill(e);
        if (_appender is not null)
        {
            await _appender.AppendAsync(e, cancellationToken);
        }
        else
        {
            await store.AppendAsync([e], cancellationToken);
        }
    }
}
