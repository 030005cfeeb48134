using IWouldArgue.Auth;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Identity;

/// <summary>
/// Join links through the Discussions service, for Identity running on its own: directly, or through the Dapr sidecar
/// when <paramref name="daprAppId"/> names Discussions' app id. A guest is joined by calling JoinDiscussion as that
/// guest, vouched for with the gateway key as the gateway vouches for callers (Identity issues the guest's identity).
/// </summary>
public sealed class DiscussionsGuestInvites(DiscussionsService.DiscussionsServiceClient discussions, GatewayCallerHeader vouch, string? daprAppId = null) : IGuestInvites
{
    public async Task<GuestInvite?> FindAsync(string inviteCode, CancellationToken cancellationToken)
    {
        try
        {
            var preview = await discussions.PreviewInviteAsync(new PreviewInviteRequest { InviteCode = inviteCode }, new CallOptions(Routing(), cancellationToken: cancellationToken));
            return new GuestInvite(preview.DiscussionId, preview.State == DiscussionState.Ended);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task JoinAsync(Caller guest, string inviteCode, CancellationToken cancellationToken)
    {
        var headers = Routing();
        headers.Add(GatewayCallerHeader.Name, vouch.Sign(guest));
        await discussions.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = inviteCode }, new CallOptions(headers, cancellationToken: cancellationToken));
    }

    private Metadata Routing() => daprAppId is null ? [] : new Metadata { { "dapr-app-id", daprAppId } };
}
