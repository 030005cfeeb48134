namespace IWouldArgue.Identity;

/// <summary>What a join link leads to, for issuing a guest pass.</summary>
public sealed record GuestInvite(string DiscussionId, bool Ended);

/// <summary>Finds the discussion of an invite code (the Discussions service owns them).</summary>
public interface IGuestInvites
{
    /// <summary>The discussion whose current invite code is <paramref name="inviteCode"/>, or null.</summary>
    Task<GuestInvite?> FindAsync(string inviteCode, CancellationToken cancellationToken);
}
