using Microsoft.Extensions.Options;

namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>The HttpClient for the sidecar's API, with the API token when one is configured.</summary>
public sealed class DaprHttp(HttpClient http, IOptions<DaprOptions> options)
{
    internal DaprOptions Options => options.Value;

    internal Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? ifMatch, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(Options.HttpEndpoint, path)) { Content = content };
        if (Options.ApiToken is { Length: > 0 } token)
        {
            request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        }
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return http.SendAsync(request, cancellationToken);
    }
}
