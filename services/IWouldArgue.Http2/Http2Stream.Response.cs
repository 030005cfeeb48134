using System.IO.Pipelines;

namespace IWouldArgue.Http2;

internal sealed partial class Http2Stream
{
    private List<(Func<object, Task> Callback, object State)>? _onStarting;
    private List<(Func<object, Task> Callback, object State)>? _onCompleted;
    private Task? _ending;

    /// <summary>The response headers are out (or going out): they can no longer change.</summary>
    public bool HasStarted { get; set; }

    /// <summary>The application asked to end the response; no more body is taken.</summary>
    public bool EndRequested { get; set; }

    // Under the connection's output lock: body bytes waiting for flow-control window, from this offset.
    public ByteBuffer? Pending { get; set; }

    public int PendingStart { get; set; }

    public int PendingLength => Pending is null ? 0 : Pending.Length - PendingStart;

    public TaskCompletionSource<FlushResult>? FlushWaiter { get; set; }

    public TaskCompletionSource? EndWaiter { get; set; }

    public CancellationTokenRegistration FlushCancellation { get; set; }

    /// <summary>Lets a waiting flush go with this result (under the connection's output lock).</summary>
    public void CompleteFlush(FlushResult result)
    {
        if (FlushWaiter is not { } waiter)
        {
            return;
        }
        FlushWaiter = null;
        FlushCancellation.Unregister();
        waiter.TrySetResult(result);
    }

    /// <summary>No OnStarting callback has to run first.</summary>
    public bool CanWriteDirectly => HasStarted || _onStarting is not { Count: > 0 };

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken)
    {
        if (!HasStarted && _onStarting is { Count: > 0 })
        {
            return StartThenFlushAsync(cancellationToken);
        }
        return _connection.WriteResponse(this, ResponseBody.Unflushed, cancellationToken);
    }

    /// <summary>Sends the headers now if they are not out yet.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!HasStarted)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Ends the response: what is buffered, then trailers (or an empty END_STREAM). Idempotent.</summary>
    public Task EndResponseAsync() => _ending ??= EndCoreAsync();

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has already started.");
        }
        (_onStarting ??= []).Add((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= []).Add((callback, state));

    /// <summary>Runs the OnCompleted callbacks, last registered first, as Kestrel does.</summary>
    public async Task FireOnCompletedAsync()
    {
        if (_onCompleted is not { } callbacks)
        {
            return;
        }
        for (var i = callbacks.Count - 1; i >= 0; i--)
        {
            await callbacks[i].Callback(callbacks[i].State);
        }
    }

    private async Task EndCoreAsync()
    {
        if (!HasStarted)
        {
            await FireOnStartingAsync();
        }
        await _connection.EndResponse(this, ResponseBody.Unflushed);
    }

    private async ValueTask<FlushResult> StartThenFlushAsync(CancellationToken cancellationToken)
    {
        await FireOnStartingAsync();
        return await _connection.WriteResponse(this, ResponseBody.Unflushed, cancellationToken);
    }

    private async Task FireOnStartingAsync()
    {
        if (_onStarting is not { } callbacks)
        {
            return;
        }
        _onStarting = null;
        for (var i = callbacks.Count - 1; i >= 0; i--)
        {
            await callbacks[i].Callback(callbacks[i].State);
        }
    }
}
