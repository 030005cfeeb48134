using IWouldArgue.Auth;

namespace IWouldArgue.Identity;

/// <summary>What a join link leads to, for issuing a guest pass.</summary>
public sealed record GuestInvite(string DiscussionId, bool Ended);

/// <summary>Join links, for guests (the Discussions service owns them).</summary>
public interface IGuestInvites
{
    /// <summary>The discussion whose current invite code is <paramref name="inviteCode"/>, or null.</summary>
    Task<GuestInvite?> FindAsync(string inviteCode, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="guest"/> a member of that discussion, as JoinDiscussion would; its refusals are RpcExceptions.</summary>
    Task JoinAsync(Caller guest, string inviteCode, CancellationToken cancellationToken);
}
