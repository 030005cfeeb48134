using System.Diagnostics;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Testing;

namespace IWouldArgue.Benchmarks;

/// <summary>Live discussions on a cluster with their watchers and posters (people signed up through the gateways).</summary>
internal sealed class Room
{
    private readonly List<SeqWatcher> _watchers = [];
    private readonly List<CommentPoster> _posters = [];

    public IReadOnlyList<SeqWatcher> Watchers => _watchers;

    public IReadOnlyList<CommentPoster> Posters => _posters;

    public static async Task<Room> CreateAsync(GatewayChannels gateways, int discussions, int watchersEach, int postersEach, TimeSpan interval)
    {
        var room = new Room();
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
    /// Runs the watchers and posters: 3 s of warm-up, then <paramref name="window"/> measured. Returns comments
    /// acknowledged per second, the cores <paramref name="measured"/> used, and comments delivered per second in the window.
    /// </summary>
    public async Task<(double Accepted, double Cores, double Delivered)> MeasureAsync(TimeSpan window, IEnumerable<ProductProcess> measured)
    {
        using var stop = new CancellationTokenSource();
        var watching = _watchers.Select(w => w.RunAsync(stop.Token)).ToList();
        await Task.WhenAll(_watchers.Select(w => w.Ready)).WaitAsync(TimeSpan.FromMinutes(2));
        using var stopPosting = new CancellationTokenSource();
        var posting = _posters.Select(p => p.RunAsync(stopPosting.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var cpu = new CpuMeter([.. measured.Select(p => p.Pid ?? throw new InvalidOperationException($"{p.Name} is not running"))]);
        cpu.Start();
        var from = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        var to = Stopwatch.GetTimestamp();
        var cores = cpu.CoresUsed();
        await stopPosting.CancelAsync();
        await Task.WhenAll(posting);
        await Task.Delay(TimeSpan.FromSeconds(5)); // the last comments reach the watchers
        await stop.CancelAsync();
        await Task.WhenAll(watching);
        var seconds = Stopwatch.GetElapsedTime(from, to).TotalSeconds;
        var accepted = _posters.Sum(p => p.Acked.Count(a => a.AckedAt >= from && a.AckedAt < to));
        var delivered = _watchers.Sum(w => w.Comments.Values.Count(at => at >= from && at < to));
        return (accepted / seconds, cores, delivered / seconds);
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
