using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Rpc.Tests.Infrastructure;

/// <summary>A DiagnosticsService for tests that need only a custom Echo.</summary>
public abstract class EchoOnlyDiagnostics : DiagnosticsService.ServiceBase
{
    public override Task EchoStream(EchoStreamRequest request, IServerStreamWriter<EchoStreamResponse> responseStream, ServerCallContext context) =>
        throw new NotSupportedException();

    public override Task<EchoCollectResponse> EchoCollect(IAsyncStreamReader<EchoCollectRequest> requestStream, ServerCallContext context) =>
        throw new NotSupportedException();

    public override Task EchoChat(IAsyncStreamReader<EchoChatRequest> requestStream, IServerStreamWriter<EchoChatResponse> responseStream, ServerCallContext context) =>
        throw new NotSupportedException();
}
