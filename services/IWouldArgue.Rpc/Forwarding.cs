using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>
/// Relays a call this server received to another server, message by message (nothing is buffered beyond
/// one message in each direction), for each call kind. The upstream's status, message and trailers
/// (error details included) reach the caller unchanged; the caller cancelling or its deadline passing
/// cancels the upstream call, because the options given to the upstream call carry them. Used by the
/// generated <c>Forwarder</c> of each service.
/// </summary>
public static class Forwarding
{
    /// <summary>Relays a unary call.</summary>
    public static async Task<TResponse> UnaryAsync<TResponse>(UnaryCall<TResponse> upstream, ServerCallContext context)
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(context);
        using (upstream)
        {
            var response = await upstream.ResponseAsync;
            CopyTrailers(upstream, context);
            return response;
        }
    }

    /// <summary>Relays a server-streaming call: each upstream message is written on as it arrives.</summary>
    public static async Task ServerStreamingAsync<TResponse>(ServerStreamingCall<TResponse> upstream, IServerStreamWriter<TResponse> responses, ServerCallContext context)
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(context);
        using (upstream)
        {
            await CopyAsync(upstream.ResponseStream, responses.WriteAsync, context.CancellationToken);
            CopyTrailers(upstream, context);
        }
    }

    /// <summary>Relays a client-streaming call: each request is sent on as it arrives.</summary>
    public static async Task<TResponse> ClientStreamingAsync<TRequest, TResponse>(IAsyncStreamReader<TRequest> requests, ClientStreamingCall<TRequest, TResponse> upstream, ServerCallContext context)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(context);
        using (upstream)
        {
            var sending = SendAllAsync(requests, upstream.RequestStream, context.CancellationToken);
            // The upstream may answer (or fail) before the caller has finished sending.
            var response = await upstream.ResponseAsync;
            await IgnoreCancellation(sending);
            CopyTrailers(upstream, context);
            return response;
        }
    }

    /// <summary>Relays a bidirectional call: requests and responses flow at the same time.</summary>
    public static async Task DuplexStreamingAsync<TRequest, TResponse>(IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, DuplexStreamingCall<TRequest, TResponse> upstream, ServerCallContext context)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(context);
        using (upstream)
        {
            var sending = SendAllAsync(requests, upstream.RequestStream, context.CancellationToken);
            await CopyAsync(upstream.ResponseStream, responses.WriteAsync, context.CancellationToken);
            await IgnoreCancellation(sending);
            CopyTrailers(upstream, context);
        }
    }

    private static async Task SendAllAsync<TRequest>(IAsyncStreamReader<TRequest> from, IClientStreamWriter<TRequest> to, CancellationToken cancellationToken)
        where TRequest : class
    {
        await CopyAsync(from, to.WriteAsync, cancellationToken);
        await to.CompleteAsync();
    }

    private static async Task CopyAsync<T>(IAsyncStreamReader<T> from, Func<T, CancellationToken, Task> write, CancellationToken cancellationToken)
        where T : class
    {
        while (await from.MoveNext(cancellationToken))
        {
            await write(from.Current, cancellationToken);
        }
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

    private static void CopyTrailers(RpcCall upstream, ServerCallContext context)
    {
        foreach (var entry in upstream.GetTrailers())
        {
            context.ResponseTrailers.Add(entry);
        }
    }
}
