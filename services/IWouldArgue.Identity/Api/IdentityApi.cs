using Microsoft.AspNetCore.Authorization;
using System.Net.Mail;
using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Identity.Passwords;
using IWouldArgue.Identity.Store;
using IWouldArgue.Identity.Tokens;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Identity.Api;

/// <summary>iwouldargue.v1.IdentityService: accounts, sessions (refresh-token families) and guest passes.</summary>
internal sealed partial class IdentityApi(
    IdentityStore store,
    TokenIssuer tokens,
    SignInLimiter signInLimiter,
    IOptions<AuthOptions> auth,
    IGuestInvites invites,
    CallerResolver callers,
    IOptions<IdentityOptions> options,
    TimeProvider clock,
    ILogger<IdentityApi> logger) : IdentityService.IdentityServiceBase
{
    [AllowAnonymous]
    public override async Task<SignUpResponse> SignUp(SignUpRequest request, ServerCallContext context)
    {
        var email = NormalizeEmail(request.Email);
        PasswordRules.Check(request.Password, email);
        var name = DisplayName(request.DisplayName);
        var account = new Account("u_" + RandomId(), email, name, PasswordHasher.Hash(request.Password, options.Value.PasswordCost));
        if (!await store.CreateAccountAsync(account, clock.GetUtcNow(), context.CancellationToken))
        {
            throw RpcErrors.Of(StatusCode.AlreadyExists, "An account with this email already exists; sign in instead.");
        }
        LogSignedUp(logger, account.UserId);
        return new SignUpResponse { User = RefOf(account), Tokens = await StartSessionAsync(account, context.CancellationToken) };
    }

    [AllowAnonymous]
    public override async Task<SignInResponse> SignIn(SignInRequest request, ServerCallContext context)
    {
        var email = NormalizeEmail(request.Email);
        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > PasswordRules.MaxLength)
        {
            throw RpcErrors.InvalidArgument("password", "is required.");
        }
        // Behind the gateway every call comes from the gateway's address: it counts attempts per browser address itself.
        var address = auth.Value.Source == CallerSource.Gateway ? null : context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";
        signInLimiter.Attempt(address, email);
        var cost = options.Value.PasswordCost;
        var account = await store.FindByEmailAsync(email, context.CancellationToken);
        if (account is null)
        {
            PasswordHasher.Waste(request.Password, cost);
            throw WrongPair();
        }
        if (!PasswordHasher.Verify(request.Password, account.PasswordHash, cost, out var rehash))
        {
            LogWrongPassword(logger, account.UserId);
            throw WrongPair();
        }
        if (rehash)
        {
            await store.SetPasswordHashAsync(account.UserId, PasswordHasher.Hash(request.Password, cost), context.CancellationToken);
        }
        return new SignInResponse { User = RefOf(account), Tokens = await StartSessionAsync(account, context.CancellationToken) };
    }

    [AllowAnonymous]
    public override async Task<SignOutResponse> SignOut(SignOutRequest request, ServerCallContext context)
    {
        var token = RequireRefreshToken(request.RefreshToken);
        // Unknown tokens end nothing and say nothing: signing out twice is fine.
        await store.RevokeFamilyOfAsync(TokenIssuer.HashOf(token), clock.GetUtcNow(), context.CancellationToken);
        return new SignOutResponse();
    }

    [AllowAnonymous]
    public override async Task<RefreshTokenResponse> RefreshToken(RefreshTokenRequest request, ServerCallContext context)
    {
        var token = RequireRefreshToken(request.RefreshToken);
        var now = clock.GetUtcNow();
        var (successor, successorHash) = TokenIssuer.NewRefreshToken();
        var refreshExpires = now + options.Value.RefreshTokenLifetime;
        var (outcome, userId) = await store.RotateRefreshTokenAsync(TokenIssuer.HashOf(token), successorHash, now, refreshExpires, context.CancellationToken);
        switch (outcome)
        {
            case RefreshOutcome.Reused:
                LogReuse(logger, userId);
                throw RpcErrors.Of(StatusCode.Unauthenticated, "This sign-in was ended because an old refresh token was used again; sign in again.");
            case RefreshOutcome.Revoked:
                throw RpcErrors.Of(StatusCode.Unauthenticated, "This sign-in has ended; sign in again.");
            case RefreshOutcome.Expired:
                throw RpcErrors.Of(StatusCode.Unauthenticated, "This sign-in has expired; sign in again.");
            case RefreshOutcome.Unknown:
                throw RpcErrors.Of(StatusCode.Unauthenticated, "This refresh token is not valid; sign in again.");
        }
        var account = await store.FindByIdAsync(userId!, context.CancellationToken)
            ?? throw RpcErrors.Of(StatusCode.Unauthenticated, "The account no longer exists.");
        var (access, accessExpires) = await tokens.IssueAccessTokenAsync(CallerOf(account), AccessLifetime, context.CancellationToken);
        return new RefreshTokenResponse { Tokens = Pair(access, accessExpires, successor, refreshExpires) };
    }

    [AllowAnonymous]
    public override async Task<JoinAsGuestResponse> JoinAsGuest(JoinAsGuestRequest request, ServerCallContext context)
    {
        var code = (request.InviteCode ?? "").Trim();
        if (code.Length is 0 or > 64)
        {
            throw RpcErrors.InvalidArgument("invite_code", code.Length == 0 ? "is required." : "is not an invite code.");
        }
        var name = DisplayName(request.DisplayName);
        var deviceKey = DeviceKey(request.DeviceKey);
        var invite = await invites.FindAsync(code, context.CancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "This join link is not valid (it may have been replaced).");
        if (invite.Ended)
        {
            throw RpcErrors.WithReason(StatusCode.FailedPrecondition, "The discussion has ended.", "DISCUSSION_ENDED");
        }
        var guest = new Caller(GuestId(invite.DiscussionId, deviceKey), name, Guest: true, invite.DiscussionId);
        // The guest is a member when this returns, as the call's name says; JoinDiscussion after it changes nothing.
        await invites.JoinAsync(guest, code, context.CancellationToken);
        var (access, expires) = await tokens.IssueAccessTokenAsync(guest, options.Value.GuestTokenLifetime, context.CancellationToken);
        LogGuest(logger, guest.UserId, invite.DiscussionId);
        return new JoinAsGuestResponse
        {
            User = guest.Ref,
            DiscussionId = invite.DiscussionId,
            Tokens = new TokenPair { AccessToken = access, AccessTokenExpiresAt = Timestamp.FromDateTimeOffset(expires) },
        };
    }

    public override async Task<GetMeResponse> GetMe(GetMeRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        if (caller.Guest)
        {
            return new GetMeResponse { User = caller.Ref };
        }
        var account = await store.FindByIdAsync(caller.UserId, context.CancellationToken)
            ?? throw RpcErrors.Of(StatusCode.Unauthenticated, "The account no longer exists.");
        return new GetMeResponse { User = RefOf(account), Email = account.Email };
    }

    public override async Task<UpdateProfileResponse> UpdateProfile(UpdateProfileRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        caller.EnsureAccount("have a profile");
        var name = DisplayName(request.DisplayName);
        var avatar = string.IsNullOrEmpty(request.AvatarUrl) ? null
            : AccessTokenClaims.IsAvatarUrl(request.AvatarUrl) ? request.AvatarUrl
            : throw RpcErrors.InvalidArgument("avatar_url", $"must be empty or a path UploadAvatar returned ({AccessTokenClaims.AvatarPathPrefix}<sha256>).");
        if (!await store.SetProfileAsync(caller.UserId, name, avatar, context.CancellationToken))
        {
            throw RpcErrors.Of(StatusCode.Unauthenticated, "The account no longer exists.");
        }
        var account = await store.FindByIdAsync(caller.UserId, context.CancellationToken)
            ?? throw RpcErrors.Of(StatusCode.Unauthenticated, "The account no longer exists.");
        var (access, expires) = await tokens.IssueAccessTokenAsync(CallerOf(account), AccessLifetime, context.CancellationToken);
        LogProfile(logger, account.UserId, avatar is not null);
        return new UpdateProfileResponse { User = RefOf(account), AccessToken = access, AccessTokenExpiresAt = Timestamp.FromDateTimeOffset(expires) };
    }

    private TimeSpan AccessLifetime => options.Value.AccessTokenLifetime;

    private async Task<TokenPair> StartSessionAsync(Account account, CancellationToken cancellationToken)
    {
        var (refresh, refreshHash) = TokenIssuer.NewRefreshToken();
        var refreshExpires = clock.GetUtcNow() + options.Value.RefreshTokenLifetime;
        await store.AddRefreshTokenAsync(refreshHash, "f_" + RandomId(), account.UserId, refreshExpires, cancellationToken);
        var (access, accessExpires) = await tokens.IssueAccessTokenAsync(CallerOf(account), AccessLifetime, cancellationToken);
        return Pair(access, accessExpires, refresh, refreshExpires);
    }

    private static TokenPair Pair(string access, DateTimeOffset accessExpires, string refresh, DateTimeOffset refreshExpires) => new()
    {
        AccessToken = access,
        AccessTokenExpiresAt = Timestamp.FromDateTimeOffset(accessExpires),
        RefreshToken = refresh,
        RefreshTokenExpiresAt = Timestamp.FromDateTimeOffset(refreshExpires),
    };

    private static Caller CallerOf(Account account) => new(account.UserId, account.DisplayName, Guest: false, AvatarUrl: account.AvatarUrl);

    private static UserRef RefOf(Account account) => CallerOf(account).Ref;

    private static RpcException WrongPair() => RpcErrors.Of(StatusCode.Unauthenticated, "Wrong email or password.");

    private static string RandomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>
    /// A guest's id: from the device's key when it sent one (the same device, the same guest in this discussion, so a
    /// ban holds), else random. A one-way hash: the id is shown to everyone, the key must stay the device's.
    /// </summary>
    private static string GuestId(string discussionId, string deviceKey)
    {
        if (deviceKey.Length == 0)
        {
            return "g_" + RandomId();
        }
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"iwouldargue guest\n{discussionId}\n{deviceKey}"));
        return "g_" + Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    private static string DeviceKey(string? key) =>
        string.IsNullOrEmpty(key) || (key.Length is >= 22 and <= 128 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            ? key ?? ""
            : throw RpcErrors.InvalidArgument("device_key", "must be 22 to 128 characters of A-Z, a-z, 0-9, '-' and '_' (at least 128 random bits).");

    private static string RequireRefreshToken(string? token) =>
        string.IsNullOrWhiteSpace(token) || token.Length > 128 ? throw RpcErrors.InvalidArgument("refresh_token", "is required.") : token.Trim();

    /// <summary>Trimmed and lower-cased; INVALID_ARGUMENT naming <c>email</c> unless it looks like one address.</summary>
    internal static string NormalizeEmail(string? email)
    {
        var trimmed = (email ?? "").Trim().ToLowerInvariant();
        if (trimmed.Length is 0 or > 254)
        {
            throw RpcErrors.InvalidArgument("email", trimmed.Length == 0 ? "is required." : "is longer than 254 characters.");
        }
        if (!MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            throw RpcErrors.InvalidArgument("email", "is not an email address.");
        }
        return trimmed;
    }

    private static string DisplayName(string? name) => TextRules.Name(name, "display_name", max: 60);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {UserId} changed its profile (picture: {HasPicture})")]
    private static partial void LogProfile(ILogger logger, string userId, bool hasPicture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {UserId} signed up")]
    private static partial void LogSignedUp(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrong password for account {UserId}")]
    private static partial void LogWrongPassword(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A used refresh token of account {UserId} was presented again; the whole sign-in was revoked")]
    private static partial void LogReuse(ILogger logger, string? userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Guest {UserId} got a pass for discussion {DiscussionId}")]
    private static partial void LogGuest(ILogger logger, string userId, string discussionId);
}
