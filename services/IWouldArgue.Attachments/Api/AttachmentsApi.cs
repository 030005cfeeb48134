using System.IO.Pipelines;
using Google.Protobuf;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Attachments;

/// <summary>
/// iwouldargue.v1.AttachmentsService for integrators: uploads as a client stream (metadata first, then
/// chunks), piped into the same checks and store as the browser's HTTP upload without holding the file in
/// memory; downloads as a stream of chunks (<see cref="Chunks"/>) from an offset.
/// </summary>
internal sealed class AttachmentsApi(AttachmentService files, Avatars avatars, CallerResolver callers) : AttachmentsService.AttachmentsServiceBase
{
    public override async Task<UploadAttachmentResponse> UploadAttachment(IAsyncStreamReader<UploadAttachmentRequest> requestStream, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        var cancellation = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellation) || requestStream.Current.PartCase != UploadAttachmentRequest.PartOneofCase.Metadata)
        {
            throw RpcErrors.InvalidArgument("metadata", "must be the first message of the upload.");
        }
        var metadata = requestStream.Current.Metadata;
        var name = await files.AdmitAsync(caller, metadata.DiscussionId, metadata.FileName,
            metadata.DeclaredSizeBytes == 0 ? null : (long)Math.Min(metadata.DeclaredSizeBytes, long.MaxValue), cancellation);
        var pipe = new Pipe();
        var feeding = FeedAsync(requestStream, pipe.Writer, cancellation);
        try
        {
            var attachment = await files.ReceiveAsync(caller, metadata.DiscussionId, name, pipe.Reader.AsStream(), cancellation);
            await feeding;
            return new UploadAttachmentResponse { Attachment = attachment };
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public override async Task<GetAttachmentResponse> GetAttachment(GetAttachmentRequest request, ServerCallContext context) =>
        new() { Attachment = await files.GetAsync(callers.Resolve(context), request.DiscussionId, request.AttachmentId, context.CancellationToken) };

    public override async Task<ListAttachmentsResponse> ListAttachments(ListAttachmentsRequest request, ServerCallContext context)
    {
        var (offset, size) = Paging.Page(request.Page);
        var found = await files.ListAsync(callers.Resolve(context), request.DiscussionId, offset, size + 1, context.CancellationToken);
        var response = new ListAttachmentsResponse { Page = Paging.Next(offset, size, found.Count) };
        response.Attachments.Add(found.Take(size));
        return response;
    }

    public override async Task DownloadAttachment(DownloadAttachmentRequest request, IServerStreamWriter<DownloadAttachmentResponse> responseStream, ServerCallContext context)
    {
        var (attachment, content) = await files.OpenAsync(callers.Resolve(context), request.DiscussionId, request.AttachmentId, context.CancellationToken);
        await using (content)
        {
            if (request.Offset > attachment.SizeBytes)
            {
                throw RpcErrors.InvalidArgument("offset", $"is past the end of the file ({attachment.SizeBytes} bytes).");
            }
            content.Seek((long)request.Offset, SeekOrigin.Begin);
            await responseStream.WriteChunksAsync(content, chunk => new DownloadAttachmentResponse { Chunk = chunk }, context.CancellationToken);
        }
    }

    public override async Task<DeleteAttachmentResponse> DeleteAttachment(DeleteAttachmentRequest request, ServerCallContext context)
    {
        await files.RemoveAsync(callers.Resolve(context), request.DiscussionId, request.AttachmentId, context.CancellationToken);
        return new DeleteAttachmentResponse();
    }

    public override async Task<UploadAvatarResponse> UploadAvatar(UploadAvatarRequest request, ServerCallContext context)
    {
        using var image = new MemoryStream(request.Image.Memory.ToArray(), writable: false);
        return await avatars.ReceiveAsync(callers.Resolve(context), image, image.Length, context.CancellationToken);
    }

    // Chunks go into the pipe as they arrive; the pipe's back-pressure keeps memory to a few chunks.
    private static async Task FeedAsync(IAsyncStreamReader<UploadAttachmentRequest> requests, PipeWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                if (requests.Current.PartCase != UploadAttachmentRequest.PartOneofCase.Chunk)
                {
                    throw RpcErrors.InvalidArgument("chunk", "only the first message may carry metadata.");
                }
                var result = await writer.WriteAsync(requests.Current.Chunk.Memory, cancellationToken);
                if (result.IsCompleted)
                {
                    break; // the reader stopped (the file was refused)
                }
            }
            await writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await writer.CompleteAsync(e);
            throw;
        }
    }
}
