using System.Threading.Channels;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using Microsoft.Extensions.Hosting;

namespace IWouldArgue.Discussions.Events;

/// <summary>
/// The one writer of the event log. Callers queue their events; the writer takes everything queued
/// (up to a batch) into one store transaction, so thousands of concurrent comments cost a handful of
/// commits, and hands the stored events to the publisher. An append that fails is retried alone, so it
/// cannot fail the others that shared its batch.
/// </summary>
public sealed class EventAppender(IDiscussionStore store, EventPublisher publisher) : BackgroundService
{
    private const int MaxBatchEvents = 1024;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Appends events (all of one discussion or several) and returns them numbered, once committed.</summary>
    public async Task<IReadOnlyList<DiscussionEvent>> AppendAsync(IReadOnlyList<DiscussionEvent> events, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(events);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Appends one event and returns it numbered.</summary>
    public async Task<DiscussionEvent> AppendAsync(DiscussionEvent e, CancellationToken cancellationToken = default) =>
        (await AppendAsync([e], cancellationToken))[0];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            var count = 0;
            while (count < MaxBatchEvents && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                count += next.Events.Count;
            }
            await CommitAsync(batch, stoppingToken);
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        try
        {
            var stored = await store.AppendAsync([.. batch.SelectMany(p => p.Events)], stoppingToken);
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult(stored.Skip(offset).Take(pending.Events.Count).ToList());
                offset += pending.Events.Count;
            }
            publisher.Enqueue(stored);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // Nothing of the batch was committed; commit each append alone so only the faulty one fails.
            foreach (var pending in batch)
            {
                await CommitAsync([pending], stoppingToken);
            }
        }
        catch (Exception ex)
        {
            batch[0].Done.TrySetException(ex);
        }
    }

    private sealed record Pending(IReadOnlyList<DiscussionEvent> Events)
    {
        public TaskCompletionSource<IReadOnlyList<DiscussionEvent>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
