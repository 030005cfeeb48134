using Grpc.Core;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// Relays a call this gateway received to the service behind it, message by message (nothing is buffered
/// beyond one message in each direction), for each call kind. The upstream's response headers, status,
/// message and trailers (error details included) reach the caller unchanged; the caller cancelling or its
/// deadline passing cancels the upstream call, whose options carry both (<see cref="UpstreamCalls.Outgoing"/>).
/// Written here because a reverse proxy relays HTTP, while the gateway relays calls: it signs each one's
/// caller and answers a missing upstream with a gRPC status, over gRPC and gRPC-Web alike.
/// </summary>
internal sealed class GrpcForwarder(UpstreamCalls calls)
{
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(UpstreamOptions upstream, Method<TRequest, TResponse> method, TRequest request, ServerCallContext context)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            using var call = calls.InvokerFor(upstream).AsyncUnaryCall(method, null, calls.Outgoing(context, upstream), request);
            await RelayHeadersAsync(call.ResponseHeadersAsync, context);
            var response = await call.ResponseAsync;
            RelayTrailers(call.GetTrailers(), context);
            return response;
        }
        catch (RpcException e) when (Unreachable(e, method.ServiceName) is { } unreachable)
        {
            throw unreachable;
        }
    }

    public async Task ServerStreamingAsync<TRequest, TResponse>(UpstreamOptions upstream, Method<TRequest, TResponse> method, TRequest request, IServerStreamWriter<TResponse> responses, ServerCallContext context)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            using var call = calls.InvokerFor(upstream).AsyncServerStreamingCall(method, null, calls.Outgoing(context, upstream), request);
            await RelayServerStreamAsync(call.ResponseHeadersAsync, call.ResponseStream, responses, context);
            RelayTrailers(call.GetTrailers(), context);
        }
        catch (RpcException e) when (Unreachable(e, method.ServiceName) is { } unreachable)
        {
            throw unreachable;
        }
    }

    public async Task<TResponse> ClientStreamingAsync<TRequest, TResponse>(UpstreamOptions upstream, Method<TRequest, TResponse> method, IAsyncStreamReader<TRequest> requests, ServerCallContext context)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            using var call = calls.InvokerFor(upstream).AsyncClientStreamingCall(method, null, calls.Outgoing(context, upstream));
            var sending = SendAllAsync(requests, call.RequestStream, context.CancellationToken);
            // The upstream may answer (or fail) before the caller has finished sending.
            await RelayHeadersAsync(call.ResponseHeadersAsync, context);
            var response = await call.ResponseAsync;
            await IgnoreCancellation(sending);
            RelayTrailers(call.GetTrailers(), context);
            return response;
        }
        catch (RpcException e) when (Unreachable(e, method.ServiceName) is { } unreachable)
        {
            throw unreachable;
        }
    }

    public async Task DuplexStreamingAsync<TRequest, TResponse>(UpstreamOptions upstream, Method<TRequest, TResponse> method, IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, ServerCallContext context)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            using var call = calls.InvokerFor(upstream).AsyncDuplexStreamingCall(method, null, calls.Outgoing(context, upstream));
            var sending = SendAllAsync(requests, call.RequestStream, context.CancellationToken);
            await RelayServerStreamAsync(call.ResponseHeadersAsync, call.ResponseStream, responses, context);
            await IgnoreCancellation(sending);
            RelayTrailers(call.GetTrailers(), context);
        }
        catch (RpcException e) when (Unreachable(e, method.ServiceName) is { } unreachable)
        {
            throw unreachable;
        }
    }

    /// <summary>
    /// The status for a call that never reached the upstream (no connection): UNAVAILABLE with a sentence,
    /// instead of the client's own message, which names sockets and addresses. Null for the upstream's own statuses.
    /// </summary>
    private static RpcException? Unreachable(RpcException e, string serviceName)
    {
        if (e.Status.DebugException is not (HttpRequestException or System.Net.Sockets.SocketException))
        {
            return null;
        }
        // "iwouldargue.v1.DiscussionsService" is "the Discussions service" to a person.
        var name = serviceName[(serviceName.LastIndexOf('.') + 1)..].Replace("Service", "", StringComparison.Ordinal);
        return Contracts.RpcErrors.Of(StatusCode.Unavailable, $"The {name} service cannot be reached right now; try again shortly.");
    }

    // Writes what an upstream server stream sends, headers first, until it ends.
    private static async Task RelayServerStreamAsync<TResponse>(Task<Metadata> headers, IAsyncStreamReader<TResponse> from, IServerStreamWriter<TResponse> to, ServerCallContext context)
        where TResponse : class
    {
        await RelayHeadersAsync(headers, context);
        while (await from.MoveNext(context.CancellationToken))
        {
            await to.WriteAsync(from.Current, context.CancellationToken);
        }
    }

    private static async Task RelayHeadersAsync(Task<Metadata> headers, ServerCallContext context)
    {
        var received = await headers;
        if (received.Count > 0)
        {
            await context.WriteResponseHeadersAsync(received);
        }
    }

    private static void RelayTrailers(Metadata trailers, ServerCallContext context)
    {
        foreach (var entry in trailers)
        {
            context.ResponseTrailers.Add(entry);
        }
    }

    private static async Task SendAllAsync<TRequest>(IAsyncStreamReader<TRequest> from, IClientStreamWriter<TRequest> to, CancellationToken cancellationToken)
        where TRequest : class
    {
        while (await from.MoveNext(cancellationToken))
        {
            await to.WriteAsync(from.Current, cancellationToken);
        }
        await to.CompleteAsync();
    }

    // The upstream call has ended (its status decides the outcome); a send still running was cut by it.
    private static async Task IgnoreCancellation(Task sending)
    {
        try
        {
            await sending;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or InvalidOperationException)
        {
        }
    }
}
