using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Hosting;

/// <summary>
/// The default CORS policy: the origins of <c>Rpc:CorsOrigins</c> may POST gRPC-Web and read its status
/// headers. Without configured origins there is no policy, and browsers may call from the same origin only.
/// </summary>
internal sealed class GrpcWebCors(IOptions<RpcOptions> rpc) : IConfigureOptions<CorsOptions>
{
    public void Configure(CorsOptions options)
    {
        var origins = rpc.Value.CorsOrigins;
        if (origins.Count == 0)
        {
            return;
        }
        options.AddDefaultPolicy(policy =>
        {
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
}
