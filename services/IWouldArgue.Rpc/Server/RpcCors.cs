using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Rpc.Server;

/// <summary>The CORS policy of gRPC endpoints: configured origins may POST gRPC-Web and read its status headers.</summary>
internal sealed class RpcCors(IOptions<RpcServerOptions> rpc) : IConfigureOptions<CorsOptions>
{
    public const string PolicyName = "grpc-web";

    /// <summary>
    /// Gives an endpoint the gRPC-Web CORS policy when cross-origin callers are configured. Without them
    /// the endpoint carries no CORS metadata, so it costs nothing and needs no CORS middleware.
    /// </summary>
    public static void Apply(IEndpointConventionBuilder endpoint, bool crossOrigin)
    {
        if (crossOrigin)
        {
            // Browsers send a CORS preflight (OPTIONS) before a cross-origin gRPC-Web POST.
            endpoint.WithMetadata(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)).RequireCors(PolicyName);
        }
    }

    public void Configure(CorsOptions options) => options.AddPolicy(PolicyName, policy =>
    {
        var origins = rpc.Value.CorsOrigins;
        if (origins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins([.. origins]);
        }
        policy.WithMethods("POST")
            .AllowAnyHeader()
            .WithExposedHeaders("grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-accept-encoding")
            .SetPreflightMaxAge(TimeSpan.FromHours(1));
    });
}
