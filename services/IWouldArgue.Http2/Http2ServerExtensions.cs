using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Http2;

/// <summary>Registration of the HTTP/2 server beside Kestrel.</summary>
public static class Http2ServerExtensions
{
    /// <summary>
    /// Binds the "Http2Server" section and, when it names URLs, makes the host's server Kestrel plus this
    /// server on those URLs. Call after the web host is configured (Kestrel registered).
    /// </summary>
    public static IServiceCollection AddHttp2Server(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Http2ServerOptions.SectionName);
        services.Configure<Http2ServerOptions>(section);
        if (!section.GetSection(nameof(Http2ServerOptions.Urls)).GetChildren().Any())
        {
            return services;
        }
        var kestrel = services.LastOrDefault(d => d.ServiceType == typeof(IServer))
            ?? throw new InvalidOperationException("Http2Server needs the web host's server (Kestrel) registered first.");
        services.Remove(kestrel);
        services.AddSingleton<IServer>(provider => new Http2Server(
            (IServer)(kestrel.ImplementationInstance
                ?? kestrel.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, kestrel.ImplementationType!)),
            provider.GetRequiredService<IOptions<Http2ServerOptions>>(),
            provider.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
