using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Attachments;

/// <summary>
/// Profile pictures. Checked as shared images are (the type from the content, well formed throughout), and smaller:
/// at most <see cref="AttachmentOptions.AvatarMaxBytes"/> and <see cref="AttachmentOptions.AvatarMaxSide"/> pixels a
/// side, since every viewer's browser decodes them. Stored by content in the blob store like shared files, recorded
/// per person in the discussion store (which keeps the sweep off their bytes), and served to anyone at a path that
/// names their content, so the path never shows other bytes and may be cached for good. Every picture someone
/// uploaded is kept: events that showed one keep showing it. At most <see cref="AttachmentOptions.AvatarsPerDay"/>
/// new ones a person a day.
/// </summary>
public sealed partial class Avatars(IDiscussionStore store, IBlobStore blobs, BlobCollector collector, IOptions<AttachmentOptions> options, TimeProvider clock, ILogger<Avatars> logger)
{
    /// <summary>Where pictures are served: this, then the content's SHA-256 in lower-case hex.</summary>
    public const string PathPrefix = AccessTokenClaims.AvatarPathPrefix;

    private AttachmentOptions Limits => options.Value;

    /// <summary>Takes in, checks and keeps a picture for the caller's profile; says where it is served.</summary>
    public async Task<UploadAvatarResponse> ReceiveAsync(Caller caller, Stream content, long? declaredSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.EnsureAccount("have a profile picture");
        if (declaredSize > Limits.AvatarMaxBytes)
        {
            throw TooLarge();
        }
        var now = clock.GetUtcNow();
        if (await store.CountAvatarsSinceAsync(caller.UserId, now.AddDays(-1), cancellationToken) >= Limits.AvatarsPerDay)
        {
            throw RpcErrors.ResourceExhausted($"You have uploaded {Limits.AvatarsPerDay} pictures today; try again tomorrow.", TimeSpan.FromHours(1));
        }
        await using var upload = await blobs.BeginAsync(cancellationToken);
        long size;
        string sha256;
        try
        {
            (size, sha256) = await upload.ReceiveAsync(content, Limits.AvatarMaxBytes, cancellationToken);
        }
        catch (FileTooLargeException)
        {
            throw TooLarge();
        }
        if (size == 0)
        {
            throw RpcErrors.InvalidArgument("image", "is empty.");
        }
        if (FileTypes.Image(upload.TempPath) is not (var mediaType, var width, var height))
        {
            throw RpcErrors.InvalidArgument("image", "is not a PNG, JPEG, GIF or WebP image that is well formed throughout.");
        }
        if (width > Limits.AvatarMaxSide || height > Limits.AvatarMaxSide)
        {
            throw RpcErrors.InvalidArgument("image", $"is {width} x {height} pixels; a picture may be at most {Limits.AvatarMaxSide} x {Limits.AvatarMaxSide}.");
        }
        using (await collector.HoldAsync(sha256, cancellationToken))
        {
            await upload.CommitAsync(cancellationToken);
            await store.AddAvatarAsync(caller.UserId, sha256, mediaType, now, cancellationToken);
        }
        LogUploaded(logger, caller.UserId, mediaType, width, height, size);
        return new UploadAvatarResponse { AvatarUrl = PathPrefix + sha256, MediaType = mediaType };
    }

    /// <summary>A picture's type and bytes, or null when none is kept under this hash.</summary>
    public async Task<(string MediaType, Stream Content)?> OpenAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!AccessTokenClaims.IsContentHash(sha256) || await store.GetAvatarTypeAsync(sha256, cancellationToken) is not { } mediaType)
        {
            return null;
        }
        return await blobs.OpenReadAsync(sha256, cancellationToken) is { } content ? (mediaType, content) : null;
    }

    private RpcException TooLarge() =>
        RpcErrors.InvalidArgument("image", $"is larger than {Limits.AvatarMaxBytes / 1024} KiB; a profile picture needs no more (256 x 256 pixels is plenty).");

    [LoggerMessage(Level = LogLevel.Information, Message = "Profile picture uploaded by {UserId}: {MediaType}, {Width} x {Height}, {Size} bytes")]
    private static partial void LogUploaded(ILogger logger, string userId, string mediaType, long width, long height, long size);
}
