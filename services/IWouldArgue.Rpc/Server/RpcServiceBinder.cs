using Google.Protobuf;
using Google.Protobuf.Reflection;
using IWouldArgue.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IWouldArgue.Rpc;

/// <summary>Maps each RPC of one service to an endpoint at "/{service}/{method}". Generated service bases call it.</summary>
public sealed class RpcServiceBinder
{
    private readonly IEndpointRouteBuilder _endpoints;
    private readonly ServerCallHandlers _handlers;
    private readonly List<IEndpointConventionBuilder> _mapped = [];

    private readonly bool _crossOrigin;

    internal RpcServiceBinder(IEndpointRouteBuilder endpoints, ServiceDescriptor service, ServerCallHandlers handlers, bool crossOrigin)
    {
        _endpoints = endpoints;
        _handlers = handlers;
        _crossOrigin = crossOrigin;
        Service = service;
    }

    /// <summary>The service being bound.</summary>
    public ServiceDescriptor Service { get; }

    internal IReadOnlyList<IEndpointConventionBuilder> Mapped => _mapped;

    /// <summary>Maps a unary RPC.</summary>
    public void AddUnary<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Map(method.FullName, _handlers.Unary(method, invoke));

    /// <summary>Maps a server-streaming RPC.</summary>
    public void AddServerStreaming<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Map(method.FullName, _handlers.ServerStreaming(method, invoke));

    /// <summary>Maps a client-streaming RPC.</summary>
    public void AddClientStreaming<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Map(method.FullName, _handlers.ClientStreaming(method, invoke));

    /// <summary>Maps a bidirectional-streaming RPC.</summary>
    public void AddDuplexStreaming<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Map(method.FullName, _handlers.DuplexStreaming(method, invoke));

    private void Map(string path, RequestDelegate handler)
    {
        var endpoint = _endpoints.MapPost(path, handler).WithDisplayName("gRPC " + path);
        RpcCors.Apply(endpoint, _crossOrigin);
        _mapped.Add(endpoint);
    }
}
