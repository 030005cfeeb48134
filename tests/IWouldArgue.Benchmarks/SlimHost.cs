using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IWouldArgue.Benchmarks;

/// <summary>The host both benchmark servers share: slim, no logging, one HTTP/2 cleartext endpoint.</summary>
internal static class SlimHost
{
    public static WebApplicationBuilder Create(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        return builder;
    }
}
