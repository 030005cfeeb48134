using Grpc.AspNetCore.Server;
using IWouldArgue.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Hosting;

/// <summary>The setup every IWouldArgue host shares, so each Program.cs stays a table of contents.</summary>
public static class ServiceDefaults
{
    /// <summary>
    /// A web application builder whose settings (appsettings.json) are found beside the host's binaries,
    /// whatever folder it was started from, unless a content root is given ("--contentRoot" or ASPNETCORE_CONTENTROOT).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var given = new ConfigurationBuilder().AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args).Build()[WebHostDefaults.ContentRootKey];
        return WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = given ?? AppContext.BaseDirectory });
    }

    /// <summary>
    /// Adds gRPC (grpc-dotnet, with the limits of the "Rpc" section and the error interceptor), gRPC-Web's CORS
    /// policy, health checks served as <c>grpc.health.v1.Health</c>, server reflection, console logging
    /// ("Logging:Format" = "json" for one JSON object a line), OpenTelemetry when an OTLP endpoint is set, and
    /// the CONTINUATION guard on every Kestrel endpoint.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        builder.Services.AddOptions<RpcOptions>().Bind(builder.Configuration.GetSection(RpcOptions.SectionName));
        builder.Services.AddGrpc(o => o.Interceptors.Add<ErrorInterceptor>());
        builder.Services.AddSingleton<IConfigureOptions<GrpcServiceOptions>, RpcLimits>();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(o =>
        {
            // Check answers from the checks as they are now, not from the last periodic run.
            o.UseHealthChecksCache = false;
            o.Services.Remove("");
            o.Services.Map("", check => !check.Tags.Contains(ServiceHealth.Optional));
        });
        // Watch hears of changes within seconds; each change is logged once (HealthTransitions), not every run.
        builder.Services.Configure<HealthCheckPublisherOptions>(o => o.Period = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthTransitions>();
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        builder.Services.AddCors();
        builder.Services.AddSingleton<IConfigureOptions<CorsOptions>, GrpcWebCors>();
        builder.AddTelemetry();
        builder.Services.AddSingleton<ContinuationGuard>();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, GuardedEndpoints>();
        return builder;
    }

    /// <summary>
    /// For a service only gateways (and Dapr sidecars) call: each connection is a gateway's, carrying thousands of
    /// people's calls, so Kestrel's minimum request body data rate is off. Kestrel judges that rate per HTTP/2 connection,
    /// multiplied by the streams reading a body at once; when 20,000 Watch calls opened through one gateway that was
    /// briefly short of CPU, it reset whole connections and every stream on them (bench/edge-fanout.sh, 200 to 700 of
    /// 20,000). The public edge keeps the rate, against slow clients; here callers are the mesh's own.
    /// </summary>
    public static IHostApplicationBuilder ServeGatewaysOnly(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MinRequestBodyDataRate = null);
        return builder;
    }

    /// <summary>Translates gRPC-Web (binary and text) for every gRPC endpoint, applies CORS, maps health and reflection.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.UseStatusDetailsForEveryError();
        app.UseCors();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        return app;
    }
}
