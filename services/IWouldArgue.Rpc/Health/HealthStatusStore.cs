using System.Collections.Concurrent;
using IWouldArgue.Rpc.Health.V1;
using ServingStatus = IWouldArgue.Rpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IWouldArgue.Rpc;

/// <summary>
/// The serving status of the server ("") and of each mapped service, as <c>grpc.health.v1.Health</c>
/// reports it. Mapped services start SERVING; set NOT_SERVING while draining or when a dependency is down.
/// </summary>
public sealed class HealthStatusStore
{
    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [""] = ServingStatus.Serving };
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next status change.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>The status of a service, or null when the service is unknown.</summary>
    public ServingStatus? Get(string service) => _statuses.TryGetValue(service, out var status) ? status : null;

    /// <summary>Sets the status of a service ("" for the whole server) and wakes every Watch.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        _statuses[service] = status;
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    internal static HealthCheckResponse Response(ServingStatus status) => new() { Status = status };
}
