using System.Net;
using IWouldArgue.Attachments;
using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks.Dapr;
using IWouldArgue.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// The plain-HTTP routes of a service that runs apart (attachment uploads and downloads, the archive's
/// ZIP) relayed as they come: the request body is sent on as it is read and the response body written on
/// as it arrives, so a 30 MB upload or a large export never sits whole in the gateway. The caller goes
/// upstream as the gateway verified it (signed, as for RPCs); the access token and the browser's own
/// headers stay here. To an upstream's address the relay speaks HTTP/2 without TLS (the port its gRPC is
/// served on); to a Dapr app id it goes through the sidecar's HTTP port with <c>dapr-app-id</c>, which
/// Dapr's service invocation routes by.
/// </summary>
public sealed partial class HttpRelay(GatewayCallerHeader vouch, IOptions<DaprOptions> dapr, IOptions<AttachmentOptions> attachments, ILogger<HttpRelay> logger) : IDisposable
{
    // Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, never relayed.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization",
    };

    private int _turn;

    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(20), // as the gRPC upstreams (UpstreamCalls): a busy upstream accepts late
        EnableMultipleHttp2Connections = true,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    });

    /// <summary>Relays the request in <paramref name="context"/> to <paramref name="upstream"/>, same method, path and query.</summary>
    public async Task RelayAsync(HttpContext context, UpstreamOptions upstream, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(upstream);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // The largest body any relayed route takes is an attachment; the service refuses it with its own
            // message before that, so the margin only keeps the gateway from carrying unbounded bodies.
            limit.MaxRequestBodySize = attachments.Value.MaxBytes + (2 << 20);
        }
        using var request = CreateRequest(context, upstream);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, context.RequestAborted);
        }
        catch (Exception e) when (BodyRefusal(e) is { } refused)
        {
            // Kestrel refused the body on its way through (larger than the limit above, or cut short).
            await HttpErrors.Of(refused.StatusCode, refused.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The file is too large." : "The request body was incomplete.").ExecuteAsync(context);
            return;
        }
        catch (HttpRequestException e)
        {
            // Without the query: it may carry a ticket (a recording link).
            LogUnreachable(logger, serviceName, request.RequestUri!.GetLeftPart(UriPartial.Path), e.Message);
            await HttpErrors.Of(StatusCodes.Status503ServiceUnavailable, $"The {serviceName} service cannot be reached right now; try again shortly.").ExecuteAsync(context);
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            CopyHeaders(response.Headers, context.Response.Headers);
            CopyHeaders(response.Content.Headers, context.Response.Headers);
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    // Several instances take transfers in turn (a body cannot be replayed, so a transfer to an instance that went
    // away fails with 503 and the client's retry goes to the next one).
    private Uri NextInstance(UpstreamOptions upstream) => upstream.Instances switch
    {
        [] => throw new InvalidOperationException("An upstream needs an Address, Addresses or a DaprAppId."),
        var instances => instances[(int)((uint)Interlocked.Increment(ref _turn) % (uint)instances.Count)],
    };

    private HttpRequestMessage CreateRequest(HttpContext context, UpstreamOptions upstream)
    {
        var incoming = context.Request;
        var pathAndQuery = incoming.Path.ToUriComponent() + incoming.QueryString.ToUriComponent();
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(upstream.DaprAppId is null
            ? NextInstance(upstream)
            : dapr.Value.HttpEndpoint, pathAndQuery));
        if (upstream.DaprAppId is { } appId)
        {
            request.Headers.TryAddWithoutValidation("dapr-app-id", appId);
            if (dapr.Value.ApiToken is { Length: > 0 } token)
            {
                request.Headers.TryAddWithoutValidation("dapr-api-token", token);
            }
        }
        else
        {
            // The upstream's gRPC port speaks HTTP/2 only, without TLS (prior knowledge).
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(incoming.Body);
        }
        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name) || !RelayedHeaders.MayLeaveTheEdge(name))
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        if (context.VerifiedCaller() is { } caller)
        {
            request.Headers.TryAddWithoutValidation(GatewayCallerHeader.Name, vouch.Sign(caller));
        }
        return request;
    }

    private static Microsoft.AspNetCore.Http.BadHttpRequestException? BodyRefusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Http.BadHttpRequestException refused)
            {
                return refused;
            }
        }
        return null;
    }

    private static void CopyHeaders(System.Net.Http.Headers.HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (!HopByHop.Contains(name))
            {
                to[name] = values.ToArray();
            }
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Service} service at {Uri} could not be reached: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string service, string uri, string reason);
}

/// <summary>Maps relayed plain-HTTP routes.</summary>
public static class HttpRelayRoutes
{
    /// <summary>Relays every request under <paramref name="prefix"/> to <paramref name="upstream"/>.</summary>
    public static IEndpointRouteBuilder MapHttpRelay(this IEndpointRouteBuilder endpoints, string prefix, UpstreamOptions upstream, string serviceName)
    {
        // The service behind decides who may call (it sees the caller the gateway signed).
        endpoints.Map(prefix + "/{**rest}", context => context.RequestServices.GetRequiredService<HttpRelay>().RelayAsync(context, upstream, serviceName)).AllowAnonymous();
        return endpoints;
    }
}
