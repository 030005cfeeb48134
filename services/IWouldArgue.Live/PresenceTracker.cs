using IWouldArgue.Discussions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Live;

/// <summary>
/// Counts each member's open Watch streams on this instance. When the last one closes and none opens
/// within <see cref="LiveOptions.PresenceGrace"/>, the member is counted out of the discussion; a member
/// counted out is counted back in when a stream opens. The grace period absorbs reconnects (a resync, a
/// flaky network, a page reload), so the attendee count does not flicker. Per person, the changes are
/// applied one at a time, so a reconnect racing a count-out always ends with the person counted in.
/// </summary>
internal sealed partial class PresenceTracker(PresenceLog log, IOptions<LiveOptions> options, ILogger<PresenceTracker> logger)
{
    private readonly Dictionary<(string DiscussionId, string UserId), Entry> _entries = [];

    /// <summary>
    /// Counts a stream in (and the person, if they were counted out). False, counting nothing, when the
    /// person already holds <see cref="LiveOptions.MaxStreamsPerPerson"/> streams on the discussion.
    /// </summary>
    public async Task<bool> ConnectedAsync(string discussionId, string userId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue((discussionId, userId), out entry!))
            {
                _entries[(discussionId, userId)] = entry = new Entry();
            }
            if (entry.Streams >= options.Value.MaxStreamsPerPerson)
            {
                return false;
            }
            entry.Streams++;
        }
        try
        {
            await entry.Gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The caller went away while waiting: this stream never counted.
            Disconnected(discussionId, userId);
            throw;
        }
        try
        {
            await log.MarkConnectedAsync(discussionId, userId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The stream works without it; only the count is off until the next change.
            Log.Failed(logger, discussionId, userId, ex);
        }
        finally
        {
            entry.Gate.Release();
        }
        return true;
    }

    public void Disconnected(string discussionId, string userId)
    {
        Entry? entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue((discussionId, userId), out entry) || --entry.Streams > 0)
            {
                return;
            }
        }
        _ = CountOutLaterAsync(discussionId, userId, entry);
    }

    private async Task CountOutLaterAsync(string discussionId, string userId, Entry entry)
    {
        await Task.Delay(options.Value.PresenceGrace);
        await entry.Gate.WaitAsync();
        try
        {
            lock (_entries)
            {
                if (entry.Streams > 0)
                {
                    return;
                }
            }
            await log.MarkDisconnectedAsync(discussionId, userId);
        }
        catch (Exception ex)
        {
            Log.Failed(logger, discussionId, userId, ex);
        }
        finally
        {
            entry.Gate.Release();
            lock (_entries)
            {
                if (entry.Streams == 0 && _entries.TryGetValue((discussionId, userId), out var current) && current == entry)
                {
                    _entries.Remove((discussionId, userId));
                }
            }
        }
    }

    private sealed class Entry
    {
        public int Streams { get; set; }

        public SemaphoreSlim Gate { get; } = new(1, 1);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Could not update the presence of {UserId} in discussion {DiscussionId}")]
        public static partial void Failed(ILogger logger, string discussionId, string userId, Exception exception);
    }
}
