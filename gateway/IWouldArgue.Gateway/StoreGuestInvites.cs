using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Identity;

namespace IWouldArgue.Gateway;

/// <summary>Identity's view of join links in the embedded default: read from the Discussions store in this process.</summary>
internal sealed class StoreGuestInvites(IDiscussionStore store) : IGuestInvites
{
    public async Task<GuestInvite?> FindAsync(string inviteCode, CancellationToken cancellationToken) =>
        await store.FindByInviteCodeAsync(inviteCode, cancellationToken) is { } discussion
            ? new GuestInvite(discussion.DiscussionId, discussion.State == DiscussionState.Ended)
            : null;
}
