using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IWouldArgue.BuildingBlocks;

/// <summary>Healthy while the state store answers a read (through the Dapr sidecar in Dapr mode, which also carries pub/sub).</summary>
public sealed class BuildingBlocksCheck(IStateStore state) : IHealthCheck
{
    /// <summary>The check's name, for the services that depend on it.</summary>
    public const string Name = "building-blocks";

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await state.GetAsync("health-probe", cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"The state store cannot be reached: {e.Message}");
        }
    }
}
