using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Store;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Attachments;

/// <summary>
/// Shared files, whatever the way in (HTTP for browsers, gRPC for integrators): who may share (host,
/// co-hosts, speakers) and see (members), limits (size, per-discussion quota, uploads per minute), the
/// content check, the blob store and the discussion's event log (an AttachmentAdded event reaches
/// watchers). Errors are RPC statuses; the HTTP endpoints translate them.
/// </summary>
public sealed partial class AttachmentService : IDisposable
{
    private readonly IDiscussionStore _store;
    private readonly EventAppender _log;
    private readonly IBlobStore _blobs;
    private readonly BlobCollector _collector;
    private readonly AttachmentOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<AttachmentService> _logger;
    private readonly PartitionedRateLimiter<string> _uploads;

    public AttachmentService(IDiscussionStore store, EventAppender log, IBlobStore blobs, BlobCollector collector, IOptions<AttachmentOptions> options, TimeProvider clock, ILogger<AttachmentService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_store, _log, _blobs, _collector, _options, _clock, _logger) = (store, log, blobs, collector, options.Value, clock, logger);
        var perMinute = _options.UploadsPerMinute;
        _uploads = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetFixedWindowLimiter(user, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
    }

    /// <summary>The reason of the error for a file over the size limit (HTTP 413).</summary>
    public const string TooLarge = "FILE_TOO_LARGE";

    /// <summary>The reason of the error for a discussion out of room for files (HTTP 413).</summary>
    public const string QuotaExceeded = "QUOTA_EXCEEDED";

    /// <summary>
    /// Checks what can be checked before any byte is read (membership, role, declared size, quota, rate),
    /// so a refused upload costs nothing.
    /// </summary>
    public async Task<string> AdmitAsync(Caller caller, string? discussionId, string? fileName, long? declaredSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var (discussion, me) = await _store.RequireMemberAsync(caller, discussionId, cancellationToken);
        if (me.Role < Role.Participant)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "Only the host, co-hosts and speakers may share files.");
        }
        if (discussion.State == DiscussionState.Ended)
        {
            throw RpcErrors.WithReason(StatusCode.FailedPrecondition, "The discussion has ended.", "DISCUSSION_ENDED");
        }
        var name = SafeName(fileName);
        if (declaredSize > _options.MaxBytes)
        {
            throw FileTooLarge();
        }
        await RequireRoomAsync(discussion.DiscussionId, declaredSize ?? 0, cancellationToken);
        using var lease = _uploads.AttemptAcquire(caller.UserId);
        if (!lease.IsAcquired)
        {
            throw RpcErrors.ResourceExhausted("You are sharing files too quickly; wait a minute.", lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1));
        }
        return name;
    }

    /// <summary>Takes in a file admitted by <see cref="AdmitAsync"/>, checks it and shares it.</summary>
    public async Task<Attachment> ReceiveAsync(Caller caller, string discussionId, string name, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var upload = await _blobs.BeginAsync(cancellationToken);
        long size;
        string sha256;
        try
        {
            (size, sha256) = await upload.ReceiveAsync(content, _options.MaxBytes, cancellationToken);
        }
        catch (FileTooLargeException)
        {
            throw FileTooLarge();
        }
        var mediaType = FileTypes.Detect(upload.TempPath, name)
            ?? throw RpcErrors.WithReason(StatusCode.InvalidArgument, $"This kind of file cannot be shared; only {FileTypes.Allowed}.", "FILE_TYPE_NOT_ALLOWED");
        if (size == 0)
        {
            throw RpcErrors.InvalidArgument("file", "is empty.");
        }
        name = FileTypes.NameFor(name, mediaType);
        await RequireRoomAsync(discussionId, size, cancellationToken);
        // From commit to record the bytes are referenced by nothing yet: hold them against deletion.
        using var held = await _collector.HoldAsync(sha256, cancellationToken);
        await upload.CommitAsync(cancellationToken);
        var id = "f_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var attachment = new Attachment
        {
            AttachmentId = id,
            DiscussionId = discussionId,
            FileName = name,
            MediaType = mediaType,
            SizeBytes = (ulong)size,
            Sha256 = sha256,
            UploadedBy = caller.Ref,
            UploadedAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()),
            DownloadPath = $"{AttachmentEndpoints.Prefix}/{discussionId}/{id}",
        };
        // Committed content without this event (a crash in between) is an unreferenced blob: invisible, and
        // deleted by the collector's sweep.
        await _log.AppendAsync(new DiscussionEvent { DiscussionId = discussionId, AttachmentAdded = new AttachmentAdded { Attachment = attachment } }, cancellationToken);
        LogShared(_logger, id, discussionId, mediaType, size);
        return attachment;
    }

    /// <summary>A shared file and its bytes, for a member.</summary>
    public async Task<(Attachment Attachment, Stream Content)> OpenAsync(Caller caller, string? discussionId, string? attachmentId, CancellationToken cancellationToken)
    {
        var attachment = await GetAsync(caller, discussionId, attachmentId, cancellationToken);
        var content = await _blobs.OpenReadAsync(attachment.Sha256, cancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "The file's content is missing.");
        return (attachment, content);
    }

    /// <summary>A shared file's description, for a member.</summary>
    public async Task<Attachment> GetAsync(Caller caller, string? discussionId, string? attachmentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var (discussion, _) = await _store.RequireMemberAsync(caller, discussionId, cancellationToken);
        return await _store.GetAttachmentAsync(discussion.DiscussionId, attachmentId ?? "", cancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "No such file in this discussion.");
    }

    /// <summary>A discussion's shared files, oldest first, for a member.</summary>
    public async Task<IReadOnlyList<Attachment>> ListAsync(Caller caller, string? discussionId, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var (discussion, _) = await _store.RequireMemberAsync(caller, discussionId, cancellationToken);
        return await _store.ListAttachmentsAsync(discussion.DiscussionId, offset, limit, cancellationToken);
    }

    /// <summary>Takes a file down (its uploader, or a host or co-host); its bytes go when nothing else shares them.</summary>
    public async Task RemoveAsync(Caller caller, string? discussionId, string? attachmentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var (discussion, me) = await _store.RequireMemberAsync(caller, discussionId, cancellationToken);
        var attachment = await _store.GetAttachmentAsync(discussion.DiscussionId, attachmentId ?? "", cancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "No such file in this discussion.");
        if (attachment.UploadedBy.UserId != caller.UserId && me.Role < Role.CoHost)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "Only whoever shared a file, the host and co-hosts may take it down.");
        }
        await _log.AppendAsync(new DiscussionEvent
        {
            DiscussionId = discussion.DiscussionId,
            AttachmentRemoved = new AttachmentRemoved { AttachmentId = attachment.AttachmentId, RemovedBy = caller.Ref },
        }, cancellationToken);
        await _collector.DeleteIfUnusedAsync(attachment.Sha256, cancellationToken);
    }

    public void Dispose() => _uploads.Dispose();

    private async Task RequireRoomAsync(string discussionId, long adding, CancellationToken cancellationToken)
    {
        var used = await _store.AttachmentBytesAsync(discussionId, cancellationToken);
        if (used + adding > _options.QuotaBytesPerDiscussion)
        {
            throw RpcErrors.WithReason(StatusCode.ResourceExhausted,
                $"This discussion's files would take more than {_options.QuotaBytesPerDiscussion / (1024 * 1024)} MB; take some down first.", QuotaExceeded);
        }
    }

    private RpcException FileTooLarge() =>
        RpcErrors.WithReason(StatusCode.InvalidArgument, $"The file is larger than {_options.MaxBytes / (1024 * 1024)} MB.", TooLarge);

    // A name for people and for Content-Disposition: no path, no quotes, and what TextRules allows in names (one visible
    // line, nothing that disguises it, such as a right-to-left override turning "gpj.exe" around): the rest is removed,
    // since people cannot easily rename what their disk calls a file. At most 255 characters.
    internal static string SafeName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/')).Replace("\"", "", StringComparison.Ordinal);
        name = TextRules.StripToName(name, "file_name", max: 255);
        if (name is "." or "..")
        {
            throw RpcErrors.InvalidArgument("file_name", "is not a file name.");
        }
        return name;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "File {AttachmentId} shared in discussion {DiscussionId}: {MediaType}, {Size} bytes")]
    private static partial void LogShared(ILogger logger, string attachmentId, string discussionId, string mediaType, long size);
}
