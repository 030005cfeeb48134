using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Media;

/// <summary>Healthy when a LiveKit server is configured; without one MediaService is NOT_SERVING (voice is off) and the rest serves.</summary>
internal sealed class VoiceConfiguredCheck(IOptions<MediaOptions> options) : IHealthCheck
{
    public const string Name = "voice";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(options.Value.Enabled
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Voice is off: Media:LiveKitUrl, Media:ApiKey and Media:ApiSecret are not all set."));
}
