using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Rpc.Server;

/// <summary>The CORS policy of gRPC endpoints: configured origins may POST gRPC-Web and read its status headers.</summary>
internal sealed class RpcCors(IOptions<RpcServerOptions> rpc) : IConfigureOptions<CorsOptions>
{
    public const string PolicyName = "grpc-web";

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
