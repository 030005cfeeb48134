using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>Describes one RPC: its names, kind and message types. Instances are generated from the protos.</summary>
public sealed class Method<TRequest, TResponse>(
    string serviceName,
    string name,
    MethodType type,
    MessageParser<TRequest> requestParser,
    MessageParser<TResponse> responseParser)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    /// <summary>The fully qualified service name, e.g. "iwouldargue.v1.LiveService".</summary>
    public string ServiceName { get; } = serviceName;

    /// <summary>The method's name, e.g. "Watch".</summary>
    public string Name { get; } = name;

    /// <summary>The request path: "/{service}/{method}".</summary>
    public string FullName { get; } = $"/{serviceName}/{name}";

    /// <summary>The call kind.</summary>
    public MethodType Type { get; } = type;

    /// <summary>Parses request messages.</summary>
    public MessageParser<TRequest> RequestParser { get; } = requestParser;

    /// <summary>Parses response messages.</summary>
    public MessageParser<TResponse> ResponseParser { get; } = responseParser;
}
