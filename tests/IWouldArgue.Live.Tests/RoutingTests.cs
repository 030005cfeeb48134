using System.Collections.Concurrent;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.InProcess;
using IWouldArgue.BuildingBlocks.Routing;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IWouldArgue.Live.Tests;

/// <summary>
/// Two Live instances and one Discussions service sharing one in-process bus and state store (as a
/// cluster shares its Dapr components): each discussion's events go only to the instance serving it, and
/// when an instance stops its watchers move to the other and resume without loss.
/// </summary>
public class RoutingTests
{
    [Fact]
    public async Task EventsReachOnlyTheServingInstance_AndWatchersOfAStoppedInstanceResumeOnTheOtherWithoutLoss()
    {
        using var db = new TestDatabase();
        var bus = new RecordingPubSub(new InProcessPubSub(NullLogger<InProcessPubSub>.Instance));
        var state = new InProcessStateStore(TimeProvider.System);
        await using var discussions = await LiveTestHost.StartAsync(db, live: false, pubSub: bus, state: state);
        await using var liveA = await LiveTestHost.StartAsync(db, discussions: false, pubSub: bus, state: state);
        await using var liveB = await LiveTestHost.StartAsync(db, discussions: false, pubSub: bus, state: state);
        var hosts = new[] { liveA, liveB }.ToDictionary(h => h.InstanceId);
        var routes = discussions.Services.GetRequiredService<LiveRoutes>();
        await WaitUntilAsync(async () => (await routes.Instances.ReadAsync()).Count == 2);

        // Rooms until each instance owns at least one (rendezvous spreads them; which ones is up to the hash).
        var rooms = new List<(Room Room, string Owner)>();
        while (rooms.Select(r => r.Owner).Distinct().Count() < 2 || rooms.Count < 4)
        {
            var room = await Room.OpenAsync(discussions, attendees: 2);
            rooms.Add((room, (await routes.OwnerOfAsync(room.Id))!.Value.InstanceId));
        }
        var watchers = rooms.SelectMany(r => Enumerable.Range(0, 2).Select(i => new RoutedWatcher(hosts, routes, r.Room.Id, $"user-{i}"))).ToList();
        await Task.WhenAll(watchers.Select(w => w.StartedAsync()));
        await Room.WaitForRoutesAsync();

        var firstHalf = await Task.WhenAll(rooms.Select(r => r.Room.PostAsync(50, "before")));
        await WaitUntilAsync(() => Task.FromResult(watchers.All(w => w.Received.Count == 50)));
        foreach (var (topic, discussionId) in bus.Published.Where(p => p.Topic != DiscussionTopics.Lifecycle))
        {
            var instance = topic[LiveRoutes.TopicOf("").Length..];
            Assert.Equal(Rendezvous.Pick(discussionId, hosts.Keys), instance);
        }

        // Instance A stops while comments keep coming.
        var posting = Task.WhenAll(rooms.Select(r => r.Room.PostAsync(100, "during")));
        await Task.Delay(100);
        await liveA.StopAsync();
        var secondHalf = await posting;

        for (var i = 0; i < rooms.Count; i++)
        {
            var expected = firstHalf[i].Concat(secondHalf[i]).ToList();
            var movedFromA = rooms[i].Owner == liveA.InstanceId;
            foreach (var watcher in watchers.Where(w => w.DiscussionId == rooms[i].Room.Id))
            {
                // Everything arrives, and a watcher of A has moved to B (it may get all comments from A before
                // A stops, and reconnect to B after).
                await WaitUntilAsync(() => Task.FromResult(watcher.Snapshot() is var (received, instances)
                    && received.Count >= expected.Count && received[^1] >= expected[^1] && instances.Count >= (movedFromA ? 2 : 1)));
                var (received, instances) = watcher.Snapshot();
                Assert.Equal(expected, received.Where(seq => seq >= expected[0]));
                Assert.Equal(received.Distinct(), received);
                Assert.Equal(received.Order(), received);
                Assert.Equal(movedFromA ? new[] { liveA.InstanceId, liveB.InstanceId } : [liveB.InstanceId], instances);
            }
        }
        foreach (var watcher in watchers)
        {
            await watcher.DisposeAsync();
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }

    /// <summary>A client that asks the router where to watch, and on a resync or a lost stream asks again and resumes.</summary>
    private sealed class RoutedWatcher : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _running;

        public RoutedWatcher(Dictionary<string, LiveTestHost> hosts, LiveRoutes routes, string discussionId, string user)
        {
            DiscussionId = discussionId;
            _running = Task.Run(() => RunAsync(hosts, routes, user));
        }

        public string DiscussionId { get; }

        /// <summary>Comment sequence numbers received, across reconnects.</summary>
        public List<ulong> Received { get; } = [];

        /// <summary>The instances this watcher was served by, in order.</summary>
        public List<string> Instances { get; } = [];

        public Task StartedAsync() => _started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        /// <summary>Copies of what was received and where, taken together (the watcher runs on).</summary>
        public (List<ulong> Received, List<string> Instances) Snapshot()
        {
            lock (Received)
            {
                return ([.. Received], [.. Instances]);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running;
            _stop.Dispose();
        }

        private async Task RunAsync(Dictionary<string, LiveTestHost> hosts, LiveRoutes routes, string user)
        {
            ulong position = 0;
            while (!_stop.IsCancellationRequested)
            {
                var owner = await routes.OwnerOfAsync(DiscussionId);
                if (owner is null || !hosts.TryGetValue(owner.Value.InstanceId, out var host))
                {
                    await Task.Delay(50);
                    continue;
                }
                lock (Received)
                {
                    if (Instances.Count == 0 || Instances[^1] != owner.Value.InstanceId)
                    {
                        Instances.Add(owner.Value.InstanceId);
                    }
                }
                await using var session = WatchSession.OverGrpc(host, DiscussionId, user, resumeAfter: position);
                try
                {
                    await session.WaitUntilAsync(s => s.FinalStatus is not null || _stop.IsCancellationRequested || Track(s), TimeSpan.FromMinutes(5));
                }
                catch (TimeoutException)
                {
                }
                Track(session);
                position = Math.Max(position, session.LastSeq);
            }
        }

        // Records newly received comments; returns false so that waiting goes on.
        private bool Track(WatchSession session)
        {
            _started.TrySetResult();
            var comments = session.Frames.Where(f => f.Events is not null).SelectMany(f => f.Events.Events)
                .Where(e => e.KindCase == DiscussionEvent.KindOneofCase.CommentPosted).Select(e => e.Seq);
            lock (Received)
            {
                var known = Received.Count == 0 ? 0 : Received[^1];
                Received.AddRange(comments.Where(seq => seq > known));
            }
            return false;
        }
    }

    /// <summary>Records which topic each discussion's events were published to.</summary>
    private sealed class RecordingPubSub(IPubSub inner) : IPubSub
    {
        public ConcurrentQueue<(string Topic, string DiscussionId)> Published { get; } = new();

        public Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default)
        {
            Published.Enqueue((topic, message.Id.Split(':')[0]));
            return inner.PublishAsync(topic, message, cancellationToken);
        }

        public IDisposable Subscribe(string topic, PubSubHandler handler) => inner.Subscribe(topic, handler);
    }
}
