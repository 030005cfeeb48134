using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc;

namespace IWouldArgue.Diagnostics;

/// <summary>Answers each call kind with what it received, so clients and proxies can be checked end to end.</summary>
internal sealed class DiagnosticsApi : DiagnosticsService.ServiceBase
{
    private const string EchoPrefix = "echo-";
    private const uint MaxDelayMs = 30_000;
    private const uint MaxRepeat = 1_000;
    private const uint MaxIntervalMs = 10_000;

    public override async Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > MaxDelayMs)
        {
            throw RpcErrors.InvalidArgument("delay_ms", $"must be at most {MaxDelayMs}.");
        }
        EchoMetadata(context);
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
            throw new RpcException((StatusCode)request.FailWithCode, request.FailWithMessage);
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
        EchoMetadata(context);
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
        EchoMetadata(context);
        var response = new EchoCollectResponse();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            response.Messages.Add(request.Message);
        }
        return response;
    }

    public override async Task EchoChat(IAsyncStreamReader<EchoChatRequest> requestStream, IServerStreamWriter<EchoChatResponse> responseStream, ServerCallContext context)
    {
        EchoMetadata(context);
        uint index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new EchoChatResponse { Message = request.Message, Index = ++index }, context.CancellationToken);
        }
    }

    private static void EchoMetadata(ServerCallContext context)
    {
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith(EchoPrefix, StringComparison.Ordinal))
            {
                context.ResponseHeaders.Add(entry);
                context.ResponseTrailers.Add(entry);
            }
        }
    }
}
