using IWouldArgue.Auth;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Api;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Identity;

namespace IWouldArgue.Gateway;

/// <summary>Identity's view of join links in the embedded default: the Discussions store and join in this process.</summary>
internal sealed class StoreGuestInvites(IDiscussionStore store, JoinByLink joins) : IGuestInvites
{
    public async Task<GuestInvite?> FindAsync(string inviteCode, CancellationToken cancellationToken) =>
        await store.FindByInviteCodeAsync(inviteCode, cancellationToken) is { } discussion
            ? new GuestInvite(discussion.DiscussionId, discussion.State == DiscussionState.Ended)
            : null;

    public Task JoinAsync(Caller guest, string inviteCode, CancellationToken cancellationToken) => joins.JoinAsync(guest, inviteCode, cancellationToken);
}
