using Google.Protobuf;
using IWouldArgue.Rpc.Server;
using V1 = IWouldArgue.Rpc.Reflection.V1;
using V1Alpha = IWouldArgue.Rpc.Reflection.V1Alpha;

namespace IWouldArgue.Rpc.Reflection;

/// <summary>Server reflection v1: one answer per question on a bidirectional stream.</summary>
internal sealed class ReflectionService(RpcServiceRegistry registry) : V1.ServerReflection.ServiceBase
{
    private ReflectionCatalog? _catalog;

    // Built on first use: by then every service of the app has been mapped.
    internal ReflectionCatalog Catalog => _catalog ??= new ReflectionCatalog(registry);

    public override async Task ServerReflectionInfo(
        IAsyncStreamReader<V1.ServerReflectionRequest> requestStream,
        IServerStreamWriter<V1.ServerReflectionResponse> responseStream,
        ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(Catalog.Answer(request), context.CancellationToken);
        }
    }
}

/// <summary>Server reflection v1alpha, which older tools use; its messages are wire-identical to v1's.</summary>
internal sealed class ReflectionV1AlphaService(RpcServiceRegistry registry) : V1Alpha.ServerReflection.ServiceBase
{
    private readonly ReflectionService _v1 = new(registry);

    public override async Task ServerReflectionInfo(
        IAsyncStreamReader<V1Alpha.ServerReflectionRequest> requestStream,
        IServerStreamWriter<V1Alpha.ServerReflectionResponse> responseStream,
        ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            var answer = _v1.Catalog.Answer(V1.ServerReflectionRequest.Parser.ParseFrom(request.ToByteString()));
            await responseStream.WriteAsync(V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString()), context.CancellationToken);
        }
    }
}
