using System.Collections.Concurrent;

namespace IWouldArgue.BuildingBlocks;

/// <summary>
/// Concurrent reads of one key share work without ever returning something older than the call: a caller either
/// starts a read, or, when one is already under way (it may have begun before the caller asked), waits for the next
/// read, which starts when that one ends and serves everyone who asked meanwhile. So at most two reads of a key are
/// ever in flight or queued, however many callers (20,000 watchers opening at once cost a few reads per discussion,
/// not 20,000), and each caller sees a value read after it asked.
/// </summary>
public sealed class FreshReads<T>
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>A value of <paramref name="key"/> read by <paramref name="read"/> after this call began.</summary>
    public Task<T> ReadAsync(string key, Func<Task<T>> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        var slot = _slots.GetOrAdd(key, _ => new Slot());
        lock (slot)
        {
            // A finished read counts as none (a read that completed synchronously leaves its task here).
            if (slot.Current is null || slot.Current.IsCompleted)
            {
                slot.Current = RunAsync(key, slot, read, null);
                return slot.Current.WaitAsync(cancellationToken);
            }
            slot.Next ??= new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            return slot.Next.Task.WaitAsync(cancellationToken);
        }
    }

    // One read, shared by its waiters (no caller's cancellation stops it); then the queued one, if anyone asked meanwhile.
    private async Task<T> RunAsync(string key, Slot slot, Func<Task<T>> read, TaskCompletionSource<T>? waiters)
    {
        try
        {
            var value = await read();
            waiters?.TrySetResult(value);
            return value;
        }
        catch (Exception e)
        {
            waiters?.TrySetException(e);
            throw;
        }
        finally
        {
            lock (slot)
            {
                var next = slot.Next;
                slot.Next = null;
                if (next is null)
                {
                    slot.Current = null;
                    _slots.TryRemove(KeyValuePair.Create(key, slot));
                }
                else
                {
                    slot.Current = RunAsync(key, slot, read, next);
                    _ = slot.Current.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
                }
            }
        }
    }

    private sealed class Slot
    {
        public Task<T>? Current;
        public TaskCompletionSource<T>? Next;
    }
}
