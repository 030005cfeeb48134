using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions;

/// <summary>What of a discussion a given person may see.</summary>
public static class DiscussionViews
{
    /// <summary>The discussion as someone with <paramref name="callerRole"/> sees it: the join link only for moderators.</summary>
    public static Discussion ForRole(Discussion discussion, Role callerRole)
    {
        ArgumentNullException.ThrowIfNull(discussion);
        var view = discussion.Clone();
        view.CallerRole = callerRole;
        if (callerRole < Role.CoHost)
        {
            view.InviteCode = "";
        }
        return view;
    }
}
