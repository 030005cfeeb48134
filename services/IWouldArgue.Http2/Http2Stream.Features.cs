using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IWouldArgue.Http2;

/// <summary>What ASP.NET Core sees of a stream: the features a server provides for each request.</summary>
internal sealed partial class Http2Stream :
    IHttpRequestFeature, IRequestBodyPipeFeature, IHttpRequestBodyDetectionFeature, IHttpResponseFeature,
    IHttpResponseBodyFeature, IHttpResponseTrailersFeature, IHttpRequestLifetimeFeature, IHttpConnectionFeature,
    IHttpRequestIdentifierFeature, IHttpResetFeature
{
    private Stream? _requestStream;
    private Stream? _responseStream;
    private string? _traceIdentifier;

    public IFeatureCollection Features { get; }

    string IHttpRequestFeature.Protocol { get => "HTTP/2"; set => throw ReadOnly(); }

    string IHttpRequestFeature.Scheme { get => Head.Scheme; set => throw ReadOnly(); }

    string IHttpRequestFeature.Method { get => Head.Method; set => throw ReadOnly(); }

    string IHttpRequestFeature.PathBase { get; set; } = "";

    string IHttpRequestFeature.Path { get; set; } = "";

    string IHttpRequestFeature.QueryString { get; set; } = "";

    string IHttpRequestFeature.RawTarget { get => Head.Path + Head.QueryString; set => throw ReadOnly(); }

    IHeaderDictionary IHttpRequestFeature.Headers { get => Head.Headers; set => throw ReadOnly(); }

    Stream IHttpRequestFeature.Body { get => _requestStream ??= RequestBody.AsStream(leaveOpen: true); set => _requestStream = value; }

    PipeReader IRequestBodyPipeFeature.Reader => RequestBody;

    bool IHttpRequestBodyDetectionFeature.CanHaveBody => !RequestEnded;

    int IHttpResponseFeature.StatusCode { get => StatusCode; set => StatusCode = HasStarted ? throw Started() : value; }

    string? IHttpResponseFeature.ReasonPhrase { get; set; }

    IHeaderDictionary IHttpResponseFeature.Headers { get => ResponseHeaders; set => throw ReadOnly(); }

    [Obsolete("Use IHttpResponseBodyFeature.Stream")]
    Stream IHttpResponseFeature.Body { get => ((IHttpResponseBodyFeature)this).Stream; set => throw ReadOnly(); }

    bool IHttpResponseFeature.HasStarted => HasStarted;

    Stream IHttpResponseBodyFeature.Stream => _responseStream ??= ResponseBody.AsStream(leaveOpen: true);

    PipeWriter IHttpResponseBodyFeature.Writer => ResponseBody;

    IHeaderDictionary IHttpResponseTrailersFeature.Trailers { get => ResponseTrailers; set => ResponseTrailers = value; }

    CancellationToken IHttpRequestLifetimeFeature.RequestAborted { get => Aborted; set => throw ReadOnly(); }

    string IHttpConnectionFeature.ConnectionId { get => _connection.Id; set => throw ReadOnly(); }

    IPAddress? IHttpConnectionFeature.RemoteIpAddress { get => _connection.Remote?.Address; set => throw ReadOnly(); }

    IPAddress? IHttpConnectionFeature.LocalIpAddress { get => _connection.Local?.Address; set => throw ReadOnly(); }

    int IHttpConnectionFeature.RemotePort { get => _connection.Remote?.Port ?? 0; set => throw ReadOnly(); }

    int IHttpConnectionFeature.LocalPort { get => _connection.Local?.Port ?? 0; set => throw ReadOnly(); }

    string IHttpRequestIdentifierFeature.TraceIdentifier
    {
        get => _traceIdentifier ??= $"{_connection.Id}:{Id:X8}";
        set => _traceIdentifier = value;
    }

    void IHttpResponseFeature.OnStarting(Func<object, Task> callback, object state) => OnStarting(callback, state);

    void IHttpResponseFeature.OnCompleted(Func<object, Task> callback, object state) => OnCompleted(callback, state);

    void IHttpResponseBodyFeature.DisableBuffering()
    {
        // Every flush goes out; there is no other buffering to turn off.
    }

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => StartAsync(cancellationToken);

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        SendFileFallback.SendFileAsync(((IHttpResponseBodyFeature)this).Stream, path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => EndResponseAsync();

    void IHttpRequestLifetimeFeature.Abort() => _connection.ResetStream(this, Http2ErrorCode.InternalError);

    void IHttpResetFeature.Reset(int errorCode) => _connection.ResetStream(this, (Http2ErrorCode)errorCode);

    private FeatureCollection CreateFeatures()
    {
        var features = new FeatureCollection(10);
        features.Set<IHttpRequestFeature>(this);
        features.Set<IRequestBodyPipeFeature>(this);
        features.Set<IHttpRequestBodyDetectionFeature>(this);
        features.Set<IHttpResponseFeature>(this);
        features.Set<IHttpResponseBodyFeature>(this);
        features.Set<IHttpResponseTrailersFeature>(this);
        features.Set<IHttpRequestLifetimeFeature>(this);
        features.Set<IHttpConnectionFeature>(this);
        features.Set<IHttpRequestIdentifierFeature>(this);
        features.Set<IHttpResetFeature>(this);
        var request = (IHttpRequestFeature)this;
        request.Path = Uri.UnescapeDataString(Head.Path);
        request.QueryString = Head.QueryString;
        return features;
    }

    private static InvalidOperationException ReadOnly() => new("This value is set by the server.");

    private static InvalidOperationException Started() => new("The response has already started.");
}
