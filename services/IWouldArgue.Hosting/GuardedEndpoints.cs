using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Hosting;

/// <summary>Puts <see cref="ContinuationGuard"/> in front of every Kestrel endpoint, configured or listened to in code.</summary>
internal sealed class GuardedEndpoints(ContinuationGuard guard) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) => options.ConfigureEndpointDefaults(listen => listen.Use(guard.Wrap));
}
