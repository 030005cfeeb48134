using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Discussions;

/// <summary>Who is calling.</summary>
public sealed record Caller(string UserId, string DisplayName, bool Guest)
{
    /// <summary>The caller as others see them.</summary>
    public UserRef Ref => new() { UserId = UserId, DisplayName = DisplayName, Guest = Guest };
}

/// <summary>
/// Finds the caller of an RPC. Today only the dev mode exists (the caller names itself in metadata,
/// when <see cref="DiscussionOptions.TrustCallerHeaders"/> allows it); the Identity service will put a
/// verified identity here instead.
/// </summary>
public sealed class CallerResolver(IOptions<DiscussionOptions> options)
{
    /// <summary>The metadata key carrying the caller's user id.</summary>
    public const string UserIdHeader = "iwouldargue-user-id";

    /// <summary>The metadata key carrying the caller's display name.</summary>
    public const string UserNameHeader = "iwouldargue-user-name";

    /// <summary>The caller, or UNAUTHENTICATED.</summary>
    public Caller Resolve(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!options.Value.TrustCallerHeaders)
        {
            throw new RpcException(StatusCode.Unauthenticated, "Sign-in is not available on this server yet.");
        }
        var userId = context.RequestHeaders.GetValue(UserIdHeader);
        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new RpcException(StatusCode.Unauthenticated, $"Say who you are with the {UserIdHeader} metadata.");
        }
        var name = context.RequestHeaders.GetValue(UserNameHeader);
        return new Caller(userId.Trim(), string.IsNullOrWhiteSpace(name) ? userId.Trim() : name.Trim(), Guest: false);
    }
}
