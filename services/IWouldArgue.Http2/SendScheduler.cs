using System.Collections.Concurrent;

namespace IWouldArgue.Http2;

/// <summary>
/// Runs the sends of every connection with something to send, in one thread-pool work item per batch rather
/// than one per connection: a broadcast that touches hundreds of connections wakes one thread, which writes
/// each connection's buffer with a non-blocking send (see <see cref="Http2Connection.SendPending"/>).
/// </summary>
internal sealed class SendScheduler : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<Http2Connection> _ready = new();
    private int _scheduled;

    /// <summary>Queues a connection whose buffer has bytes and no send in progress.</summary>
    public void Schedule(Http2Connection connection)
    {
        _ready.Enqueue(connection);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public void Execute()
    {
        // Cleared before draining: a connection queued after this point gets a work item of its own.
        Volatile.Write(ref _scheduled, 0);
        while (_ready.TryDequeue(out var connection))
        {
            connection.SendPending();
        }
    }
}
