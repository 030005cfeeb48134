using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Identity;

/// <summary>
/// Join links looked up by asking the Discussions service (<c>PreviewInvite</c>), for Identity running on its
/// own: directly, or through the Dapr sidecar when <paramref name="daprAppId"/> names Discussions' app id.
/// </summary>
public sealed class DiscussionsGuestInvites(DiscussionsService.DiscussionsServiceClient discussions, string? daprAppId = null) : IGuestInvites
{
    public async Task<GuestInvite?> FindAsync(string inviteCode, CancellationToken cancellationToken)
    {
        try
        {
            var preview = await discussions.PreviewInviteAsync(new PreviewInviteRequest { InviteCode = inviteCode }, new CallOptions(daprAppId is null ? null : new Metadata { { "dapr-app-id", daprAppId } }, cancellationToken: cancellationToken));
            return new GuestInvite(preview.DiscussionId, preview.State == DiscussionState.Ended);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}
