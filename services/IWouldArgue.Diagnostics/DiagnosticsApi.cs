using Microsoft.AspNetCore.Authorization;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Diagnostics;

/// <summary>Answers each call kind with what it received, so clients and proxies can be checked end to end.</summary>
// For checking a client or proxy end to end, before it has an account; every RPC is bounded.
[AllowAnonymous]
internal sealed class DiagnosticsApi : DiagnosticsService.DiagnosticsServiceBase
{
    private const string EchoPrefix = "echo-";
    private const uint MaxDelayMs = 30_000;
    private const uint MaxRepeat = 1_000;
    private const uint MaxIntervalMs = 10_000;
    // EchoCollect keeps what it receives until the stream ends; this bounds what one call may make it hold.
    private const int MaxCollectedBytes = 1024 * 1024;

    public override async Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > MaxDelayMs)
        {
            throw RpcErrors.InvalidArgument("delay_ms", $"must be at most {MaxDelayMs}.");
        }
        await EchoMetadataAsync(context);
        if (request.DelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(request.DelayMs), context.CancellationToken);
        }
        if (request.FailWithCode != 0)
        {
            if (!System.Enum.IsDefined((StatusCode)request.FailWithCode))
            {
                throw RpcErrors.InvalidArgument("fail_with_code", "is not a gRPC status code.");
            }
            throw RpcErrors.Of((StatusCode)request.FailWithCode, request.FailWithMessage);
        }
        return new EchoResponse { Message = request.Message, Payload = request.Payload };
    }

    public override async Task EchoStream(EchoStreamRequest request, IServerStreamWriter<EchoStreamResponse> responseStream, ServerCallContext context)
    {
        if (request.Repeat is 0 or > MaxRepeat)
        {
            throw RpcErrors.InvalidArgument("repeat", $"must be between 1 and {MaxRepeat}.");
        }
        if (request.IntervalMs > MaxIntervalMs)
        {
            throw RpcErrors.InvalidArgument("interval_ms", $"must be at most {MaxIntervalMs}.");
        }
        await EchoMetadataAsync(context);
        for (uint i = 1; i <= request.Repeat; i++)
        {
            if (i > 1 && request.IntervalMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(request.IntervalMs), context.CancellationToken);
            }
            var message = new EchoStreamResponse { Message = request.Message, Index = i, SentAt = Timestamp.FromDateTime(DateTime.UtcNow) };
            await responseStream.WriteAsync(message, context.CancellationToken);
        }
    }

    public override async Task<EchoCollectResponse> EchoCollect(IAsyncStreamReader<EchoCollectRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var response = new EchoCollectResponse();
        var collected = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            collected += request.Message.Length;
            if (collected > MaxCollectedBytes)
            {
                throw RpcErrors.WithReason(StatusCode.ResourceExhausted, $"EchoCollect keeps at most {MaxCollectedBytes / 1024} KiB of messages a call.", "COLLECT_LIMIT");
            }
            response.Messages.Add(request.Message);
        }
        return response;
    }

    public override async Task EchoChat(IAsyncStreamReader<EchoChatRequest> requestStream, IServerStreamWriter<EchoChatResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        uint index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new EchoChatResponse { Message = request.Message, Index = ++index }, context.CancellationToken);
        }
    }

    // Request metadata named "echo-*" comes back in the response headers and in the trailers.
    private static Task EchoMetadataAsync(ServerCallContext context)
    {
        var echoed = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith(EchoPrefix, StringComparison.Ordinal))
            {
                echoed.Add(entry);
                context.ResponseTrailers.Add(entry);
            }
        }
        return echoed.Count == 0 ? Task.CompletedTask : context.WriteResponseHeadersAsync(echoed);
    }
}
