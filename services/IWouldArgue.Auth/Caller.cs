using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Auth;

/// <summary>
/// Who is calling. A guest's pass is for one discussion (<paramref name="DiscussionScope"/>); an account may have a
/// profile picture (<paramref name="AvatarUrl"/>, a path <see cref="AccessTokenClaims.IsAvatarUrl"/> accepts).
/// </summary>
public sealed record Caller(string UserId, string DisplayName, bool Guest, string? DiscussionScope = null, string? AvatarUrl = null)
{
    /// <summary>The caller as others see them.</summary>
    public UserRef Ref => new() { UserId = UserId, DisplayName = DisplayName, Guest = Guest, AvatarUrl = AvatarUrl ?? "" };

    /// <summary>PERMISSION_DENIED when the caller's pass does not cover <paramref name="discussionId"/>.</summary>
    public void EnsureMayEnter(string discussionId)
    {
        if (DiscussionScope is not null && !string.Equals(DiscussionScope, discussionId, StringComparison.Ordinal))
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "Your guest pass is for another discussion; open this discussion's link to join it.");
        }
    }

    /// <summary>PERMISSION_DENIED for guests, who may only act inside the discussion they joined.</summary>
    public void EnsureAccount(string action)
    {
        if (Guest)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, $"Guests cannot {action}; sign up for an account first.");
        }
    }
}

/// <summary>
/// What the edge learned about a request's caller, set on the request by <see cref="CallerAuthentication"/>:
/// a verified caller, or why the access token sent was refused.
/// </summary>
public sealed class CallerFeature
{
    private CallerFeature(Caller? caller, string? failure, string? reason, string? edge = null)
    {
        Caller = caller;
        Failure = failure;
        Reason = reason;
        Edge = edge;
    }

    /// <summary>What the gateway asked of this Watch for its fan-out (<see cref="EdgeWatch"/>), or null.</summary>
    public string? Edge { get; }

    /// <summary>The verified caller, when the token was good.</summary>
    public Caller? Caller { get; }

    /// <summary>Why the token was refused, in words for the caller.</summary>
    public string? Failure { get; }

    /// <summary>Why, as a stable reason for clients that branch on it: TOKEN_EXPIRED (refresh it), TOKEN_INVALID (sign in again), ...</summary>
    public string? Reason { get; }

    /// <summary>A verified caller.</summary>
    public static CallerFeature Verified(Caller caller, string? edge = null) => new(caller, null, null, edge);

    /// <summary>A refused token: words for the caller and a stable reason.</summary>
    public static CallerFeature Refused(string failure, string reason = AuthReasons.TokenInvalid) => new(null, failure, reason);
}

/// <summary>Finds the caller of an RPC: the one the edge verified, or UNAUTHENTICATED.</summary>
public sealed class CallerResolver(IOptions<AuthOptions> options)
{
    /// <summary>The metadata key naming the caller's user id (only with <see cref="AuthOptions.TrustCallerHeaders"/>).</summary>
    public const string UserIdHeader = "iwouldargue-user-id";

    /// <summary>The metadata key naming the caller's display name (only with <see cref="AuthOptions.TrustCallerHeaders"/>).</summary>
    public const string UserNameHeader = "iwouldargue-user-name";

    /// <summary>The caller, or UNAUTHENTICATED.</summary>
    public Caller Resolve(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Resolve(context.GetHttpContext());
    }

    /// <summary>The caller of a plain HTTP request (uploads, downloads), or UNAUTHENTICATED.</summary>
    public Caller Resolve(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var feature = http.Features.Get<CallerFeature>();
        if (feature?.Caller is { } verified)
        {
            return verified;
        }
        if (feature?.Failure is { } failure)
        {
            throw RpcErrors.Of(StatusCode.Unauthenticated, failure, feature.Reason);
        }
        if (FromTrustedHeaders(http.Request, options.Value) is { } named)
        {
            return named;
        }
        throw RpcErrors.Of(StatusCode.Unauthenticated, AuthReasons.SignInFirst, AuthReasons.TokenMissing);
    }

    /// <summary>
    /// Tests and local tools only (<see cref="AuthOptions.TrustCallerHeaders"/>): the caller as its own metadata names
    /// it, or null when that is off or no user id is given.
    /// </summary>
    internal static Caller? FromTrustedHeaders(HttpRequest request, AuthOptions options)
    {
        if (!options.TrustCallerHeaders || request.Headers[UserIdHeader].ToString().Trim() is not { Length: > 0 } id)
        {
            return null;
        }
        var name = request.Headers[UserNameHeader].ToString().Trim();
        return new Caller(id, name.Length > 0 ? name : id, Guest: false);
    }

    /// <summary>The caller, checked to be allowed into <paramref name="discussionId"/> (guest passes cover one discussion).</summary>
    public Caller Resolve(ServerCallContext context, string discussionId)
    {
        var caller = Resolve(context);
        caller.EnsureMayEnter(discussionId);
        return caller;
    }
}

/// <summary>The <c>google.rpc.ErrorInfo</c> reasons of UNAUTHENTICATED: what a client should do next.</summary>
public static class AuthReasons
{
    /// <summary>No access token was sent: sign in (or join as a guest) first.</summary>
    public const string TokenMissing = "TOKEN_MISSING";

    /// <summary>The access token's time is up: refresh it with the refresh token.</summary>
    public const string TokenExpired = "TOKEN_EXPIRED";

    /// <summary>The access token cannot be accepted (forged, malformed, wrong audience): sign in again.</summary>
    public const string TokenInvalid = "TOKEN_INVALID";

    /// <summary>The words that go with <see cref="TokenMissing"/>.</summary>
    public const string SignInFirst = "Sign in first, then send your access token as \"authorization: Bearer <token>\".";
}
