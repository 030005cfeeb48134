using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Rpc.Server;

/// <summary>Builds the request delegate of each call kind around a service method.</summary>
internal sealed class ServerCallHandlers(Func<HttpContext, object> activate, RpcMessageLimits limits, ILogger logger)
{
    public RequestDelegate Unary<TService, TRequest, TResponse>(
        Method<TRequest, TResponse> method,
        Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Serve(method, async (call, service) =>
        {
            var request = await call.ReadSingleMessageAsync(method.RequestParser);
            var response = await invoke((TService)service, request, call.Context);
            await call.WriteMessageAsync(response, flush: false);
        });

    public RequestDelegate ServerStreaming<TService, TRequest, TResponse>(
        Method<TRequest, TResponse> method,
        Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Serve(method, async (call, service) =>
        {
            var request = await call.ReadSingleMessageAsync(method.RequestParser);
            await invoke((TService)service, request, new ResponseStreamWriter<TResponse>(call), call.Context);
        });

    public RequestDelegate ClientStreaming<TService, TRequest, TResponse>(
        Method<TRequest, TResponse> method,
        Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Serve(method, async (call, service) =>
        {
            var requests = new RequestStreamReader<TRequest>(call, method.RequestParser);
            var response = await invoke((TService)service, requests, call.Context);
            await call.WriteMessageAsync(response, flush: false);
        });

    public RequestDelegate DuplexStreaming<TService, TRequest, TResponse>(
        Method<TRequest, TResponse> method,
        Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Serve(method, (call, service) => invoke(
            (TService)service,
            new RequestStreamReader<TRequest>(call, method.RequestParser),
            new ResponseStreamWriter<TResponse>(call),
            call.Context));

    private RequestDelegate Serve<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<ServerCall, object, Task> body)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        async httpContext =>
        {
            var call = await ServerCall.TryStartAsync(httpContext, method.FullName, method.Type, limits, logger);
            if (call is null)
            {
                return;
            }
            await using (call)
            {
                await call.RunAsync(body, activate);
            }
        };

    private sealed class RequestStreamReader<T>(ServerCall call, MessageParser<T> parser) : IAsyncStreamReader<T>
        where T : class, IMessage<T>
    {
        public T Current { get; private set; } = null!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
        {
            var next = await call.ReadMessageAsync(parser, cancellationToken);
            if (next is null)
            {
                return false;
            }
            Current = next;
            return true;
        }
    }

    private sealed class ResponseStreamWriter<T>(ServerCall call) : IServerStreamWriter<T>
        where T : class, IMessage<T>
    {
        public Task WriteAsync(T message, CancellationToken cancellationToken = default) => call.WriteMessageAsync(message, flush: true, cancellationToken);

        public Task WriteAsync(EncodedMessage<T> message, CancellationToken cancellationToken = default) => call.WriteEncodedAsync(message.Frame, cancellationToken);

        public bool TryGetDirectWriter(out DirectMessageWriter<T> writer)
        {
            var ok = call.TryGetDirectBody(out var body, out var maxMessageSize);
            writer = ok ? new DirectMessageWriter<T>(body!, maxMessageSize) : default;
            return ok;
        }
    }
}
