using IWouldArgue.Rpc.Health.V1;
using ServingStatus = IWouldArgue.Rpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IWouldArgue.Rpc.Health;

/// <summary>The standard gRPC health service over <see cref="HealthStatusStore"/>.</summary>
internal sealed class HealthService(HealthStatusStore store) : V1.Health.ServiceBase
{
    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context) =>
        store.Get(request.Service) is { } status
            ? Task.FromResult(HealthStatusStore.Response(status))
            : throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        ServingStatus? sent = null;
        while (!context.CancellationToken.IsCancellationRequested)
        {
            // Take the change signal before reading, so a change between the two is not missed.
            var changed = store.Changed;
            var status = store.Get(request.Service) ?? ServingStatus.ServiceUnknown;
            if (status != sent)
            {
                await responseStream.WriteAsync(HealthStatusStore.Response(status), context.CancellationToken);
                sent = status;
            }
            await changed.WaitAsync(context.CancellationToken);
        }
    }
}
