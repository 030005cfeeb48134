using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Gateway.Edge;
using Microsoft.Extensions.DependencyInjection;
using static IWouldArgue.Gateway.Tests.GatewayHost;

namespace IWouldArgue.Gateway.Tests;

[CollectionDefinition(nameof(CountsDeliveries), DisableParallelization = true)]
public sealed class CountsDeliveries;

/// <summary>
/// Watch through a gateway in the mesh (services in their own hosts, as in <see cref="MeshForwardingTests"/>): the
/// gateway holds ONE shared stream per discussion from Live and fans it out to its own watchers. Run alone, because it
/// counts the product's deliveries metric for the whole process.
/// </summary>
[Collection(nameof(CountsDeliveries))]
public sealed class EdgeFanoutTests : IAsyncLifetime
{
    private readonly MeshForwardingTests _mesh = new();

    public Task InitializeAsync() => _mesh.InitializeAsync();

    public Task DisposeAsync() => _mesh.DisposeAsync();

    [Fact]
    public async Task WatchersOfOneDiscussion_ShareOneStreamFromLive_EachGetsEveryCommentOnceInOrder_AndARemovedOneIsDenied()
    {
        var gateway = _mesh.Gateway;
        var (host, created) = await StartDiscussionAsync("Edgar", "Fanned out at the edge");
        var guests = new List<JoinAsGuestResponse>();
        for (var i = 0; i < 3; i++)
        {
            guests.Add(await gateway.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = created.InviteCode, DisplayName = $"Guest {i}" }));
        }
        var people = new[] { host }.Concat(guests.Select(g => Bearer(g.Tokens.AccessToken))).ToList();
        var watches = people.Select(p => new Session(new LiveService.LiveServiceClient(gateway.Channel).Watch(new WatchRequest { DiscussionId = created.DiscussionId }, p))).ToList();
        await Task.WhenAll(watches.Select(w => w.UntilAsync(s => s.Snapshot is not null)));

        long liveDeliveries = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "iwouldargue.live.deliveries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "tier", Value: "live" })
                {
                    Interlocked.Add(ref liveDeliveries, value);
                }
            }
        });
        listener.Start();

        // Everyone posts (five each, within the comment burst); every watcher sees all twenty, once, in order.
        var posted = new List<string>();
        foreach (var (person, index) in people.Select((p, i) => (p, i)))
        {
            for (var n = 0; n < 5; n++)
            {
                var text = $"from {index}, number {n}";
                await gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = text }, person);
                posted.Add(text);
            }
        }
        await Task.WhenAll(watches.Select(w => w.UntilAsync(s => s.Comments.Count >= posted.Count)));
        listener.Dispose();

        Assert.All(watches, w => Assert.Equal(posted, w.Comments));
        Assert.All(watches, w => Assert.Equal(w.Seqs.Distinct().Order(), w.Seqs));
        Assert.Equal(1, gateway.Services.GetRequiredService<EdgeFanouts>().Count);
        // Live wrote the comments once, to the gateway's shared stream, not once per watcher (4 x 20 = 80). (A comment
        // published before Live's "serving" entry reached the publisher's route cache comes by gap repair from the log,
        // which this counter does not count: hence not exactly 20.)
        Assert.InRange(Interlocked.Read(ref liveDeliveries), 1, posted.Count + 10);

        // The host removes a guest: that stream ends PERMISSION_DENIED; the others go on.
        await gateway.Discussions.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = created.DiscussionId, UserId = guests[2].User.UserId }, host);
        var removed = await Assert.ThrowsAsync<RpcException>(() => watches[3].UntilAsync(_ => false));
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the guest's comment burst refills
        await gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = "after the removal" }, Bearer(guests[0].Tokens.AccessToken));
        await Task.WhenAll(watches.Take(3).Select(w => w.UntilAsync(s => s.Comments.Contains("after the removal"))));

        Assert.Equal(StatusCode.PermissionDenied, removed.StatusCode);
        Assert.Contains("removed", removed.Status.Detail, StringComparison.Ordinal);
        foreach (var watch in watches)
        {
            watch.Dispose();
        }
        for (var i = 0; i < 100 && gateway.Services.GetRequiredService<EdgeFanouts>().Count > 0; i++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(0, gateway.Services.GetRequiredService<EdgeFanouts>().Count);
    }

    [Fact]
    public async Task AWatcherThatResumes_GetsExactlyWhatItMissed_ThroughTheSharedStream()
    {
        var gateway = _mesh.Gateway;
        var (host, created) = await StartDiscussionAsync("Rosa", "Resume at the edge");
        using var staying = new Session(new LiveService.LiveServiceClient(gateway.Channel).Watch(new WatchRequest { DiscussionId = created.DiscussionId }, host));
        var leaving = new Session(new LiveService.LiveServiceClient(gateway.Channel).Watch(new WatchRequest { DiscussionId = created.DiscussionId }, host));
        await Task.WhenAll(staying.UntilAsync(s => s.Snapshot is not null), leaving.UntilAsync(s => s.Snapshot is not null));
        await gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = "one" }, host);
        await leaving.UntilAsync(s => s.Comments.Count == 1);
        var resumeAfter = leaving.Seqs[^1];
        leaving.Dispose();

        foreach (var text in new[] { "two", "three", "four" })
        {
            await gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = text }, host);
        }
        await staying.UntilAsync(s => s.Comments.Count == 4);
        using var back = new Session(new LiveService.LiveServiceClient(gateway.Channel).Watch(new WatchRequest { DiscussionId = created.DiscussionId, ResumeAfterSeq = resumeAfter }, host));
        await gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = "five" }, host);
        await back.UntilAsync(s => s.Comments.Contains("five"));

        Assert.Null(back.Snapshot);
        Assert.Equal(["two", "three", "four", "five"], back.Comments);
        Assert.Equal(back.Seqs.Distinct().Order(), back.Seqs);
    }

    [Fact]
    public async Task TwoHundredWatchers_SomeJoiningWhileCommentsFlow_EachGetEveryEventAfterItsSnapshotOnceInOrder()
    {
        // Past the edge fan-out's slice of 100 watchers, which it offers a frame to between turns given to other work,
        // while others join: a joiner must get a frame either from the fanout's kept frames or from its delivery, once.
        var gateway = _mesh.Gateway;
        var (host, created) = await StartDiscussionAsync("Selma", "Sliced at the edge");
        // Forty guests with five live views each (as many as one person may have open), six of whom post.
        var people = new List<CallOptions>();
        for (var i = 0; i < 40; i++)
        {
            people.Add(Bearer((await gateway.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = created.InviteCode, DisplayName = $"Guest {i}" })).Tokens.AccessToken));
        }
        var posters = people.Take(6).ToList();
        var live = new LiveService.LiveServiceClient(gateway.Channel);
        Session Watch(int i) => new(live.Watch(new WatchRequest { DiscussionId = created.DiscussionId }, people[i % people.Count]));
        var first = Enumerable.Range(0, 120).Select(Watch).ToList();
        await Task.WhenAll(first.Select(w => w.UntilAsync(s => s.Snapshot is not null)));

        // Six people post five comments each (their burst) while eighty more watchers join.
        var posting = Task.WhenAll(posters.Select(async (poster, p) =>
        {
            for (var n = 0; n < 5; n++)
            {
                await gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = $"{p}.{n}" }, poster);
            }
        }));
        var late = new List<Session>();
        for (var i = 0; i < 80; i++)
        {
            late.Add(Watch(120 + i));
            await Task.Delay(5);
        }
        await posting;
        await gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = "last" }, host);
        var all = first.Concat(late).ToList();
        await Task.WhenAll(all.Select(w => w.UntilAsync(s => s.Comments.Contains("last"))));

        var lastSeq = all.Max(w => w.Seqs[^1]);
        Assert.All(all, w =>
        {
            var after = w.Snapshot!.Seq;
            Assert.Equal(Enumerable.Range(1, (int)(lastSeq - after)).Select(i => after + (ulong)i), w.Seqs);
        });
        Assert.Equal(31, first[0].Comments.Count);
        foreach (var watch in all)
        {
            watch.Dispose();
        }
    }

    /// <summary>A new host's started discussion, open to guests' comments, and the host's call options.</summary>
    private async Task<(CallOptions Host, Discussion Created)> StartDiscussionAsync(string hostName, string title)
    {
        var gateway = _mesh.Gateway;
        var host = Bearer((await gateway.SignUpAsync(hostName)).Tokens.AccessToken);
        var created = (await gateway.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = title, GuestsMayComment = true }, host)).Discussion;
        await gateway.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, host);
        return (host, created);
    }

    /// <summary>One Watch call read in the background: the snapshot, the comments' texts and every event's seq.</summary>
    private sealed class Session : IDisposable
    {
        private readonly AsyncServerStreamingCall<WatchResponse> _call;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;
        private readonly ConcurrentQueue<string> _comments = new();
        private readonly ConcurrentQueue<ulong> _seqs = new();

        public Session(AsyncServerStreamingCall<WatchResponse> call)
        {
            _call = call;
            _reading = Task.Run(ReadAsync);
        }

        public Snapshot? Snapshot { get; private set; }

        public List<string> Comments => [.. _comments];

        public List<ulong> Seqs => [.. _seqs];

        public async Task UntilAsync(Func<Session, bool> done)
        {
            var until = DateTime.UtcNow.AddSeconds(15);
            while (!done(this))
            {
                if (_reading.IsCompleted)
                {
                    await _reading; // throws how the stream ended
                    throw new InvalidOperationException("The stream ended.");
                }
                if (DateTime.UtcNow > until)
                {
                    throw new TimeoutException($"Saw {_comments.Count} comments.");
                }
                await Task.Delay(20);
            }
        }

        private async Task ReadAsync()
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token))
            {
                var frame = _call.ResponseStream.Current;
                if (frame.Snapshot is { } snapshot)
                {
                    Snapshot = snapshot;
                }
                foreach (var e in frame.Events?.Events ?? [])
                {
                    _seqs.Enqueue(e.Seq);
                    if (e.CommentPosted is { } posted)
                    {
                        _comments.Enqueue(posted.Comment.Text);
                    }
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _call.Dispose();
        }
    }
}
