using System.Diagnostics;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Testing;

/// <summary>Live discussions on a cluster with their watchers and posters (people signed up through the gateways).</summary>
public sealed class ClusterRoom
{
    private readonly List<SeqWatcher> _watchers = [];
    private readonly List<CommentPoster> _posters = [];

    public IReadOnlyList<SeqWatcher> Watchers => _watchers;

    public IReadOnlyList<CommentPoster> Posters => _posters;

    public static async Task<ClusterRoom> CreateAsync(GatewayChannels gateways, int discussions, int watchersEach, int postersEach, TimeSpan interval)
    {
        var room = new ClusterRoom();
        var identity = new IdentityService.IdentityServiceClient(gateways[0]);
        var api = new DiscussionsService.DiscussionsServiceClient(gateways[0]);
        var host = await SignUpAsync(identity, "Host");
        for (var d = 0; d < discussions; d++)
        {
            var created = (await api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = $"Bench {d}" }, GatewayChannels.Bearer(host))).Discussion;
            await api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, GatewayChannels.Bearer(host));
            for (var w = 0; w < watchersEach + postersEach; w++)
            {
                var person = await SignUpAsync(identity, $"Person {d}.{w}");
                await api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, GatewayChannels.Bearer(person));
                if (w < watchersEach)
                {
                    room._watchers.Add(new SeqWatcher(gateways, w, created.DiscussionId, person));
                }
                else
                {
                    room._posters.Add(new CommentPoster(gateways, d + w, created.DiscussionId, person, interval));
                }
            }
        }
        return room;
    }

    public static async Task<string> SignUpAsync(IdentityService.IdentityServiceClient identity, string name) =>
        (await identity.SignUpAsync(new SignUpRequest { Email = $"{Guid.NewGuid():N}@example.org", Password = "correct horse battery", DisplayName = name })).Tokens.AccessToken;

    /// <summary>
    /// Waits until every watcher has the last acknowledged comment of its discussion, at most <paramref name="limit"/>;
    /// false when some have not.
    /// </summary>
    public async Task<bool> WaitUntilCaughtUpAsync(TimeSpan limit)
    {
        var owed = _posters.SelectMany(p => p.Acked).GroupBy(a => a.DiscussionId).ToDictionary(g => g.Key, g => g.Max(a => a.Seq));
        for (var until = DateTime.UtcNow + limit; DateTime.UtcNow < until; await Task.Delay(100))
        {
            if (_watchers.All(w => w.LastSeq >= owed.GetValueOrDefault(w.DiscussionId)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Post round trips (ms), sorted.</summary>
    public List<double> PostLatencies() =>
        [.. _posters.SelectMany(p => p.Acked).Select(a => Stopwatch.GetElapsedTime(a.SentAt, a.AckedAt).TotalMilliseconds).Order()];

    /// <summary>Deliveries owed (each acknowledged comment after a watcher's start, to each of its discussion's watchers), made, and post->receive times (ms, sorted).</summary>
    public (int Expected, int Got, List<double> Receive) Deliveries()
    {
        var acked = _posters.SelectMany(p => p.Acked).ToList();
        var (expected, got, receive) = (0, 0, new List<double>());
        foreach (var watcher in _watchers)
        {
            foreach (var comment in acked.Where(a => a.DiscussionId == watcher.DiscussionId && a.Seq > watcher.StartSeq))
            {
                expected++;
                if (watcher.Comments.TryGetValue(comment.CommentId, out var at))
                {
                    got++;
                    receive.Add(Stopwatch.GetElapsedTime(comment.SentAt, at).TotalMilliseconds);
                }
            }
        }
        receive.Sort();
        return (expected, got, receive);
    }
}
