using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using static IWouldArgue.Live.Tests.LiveTestHost;

namespace IWouldArgue.Live.Tests;

/// <summary>A started discussion with a host ("hana") and the people who joined it, driven through the Discussions API.</summary>
public sealed class Room
{
    private Room(LiveTestHost host, Discussion discussion)
    {
        Host = host;
        Discussion = discussion;
    }

    public const string HostUser = "hana";

    public LiveTestHost Host { get; }

    public Discussion Discussion { get; }

    public string Id => Discussion.DiscussionId;

    public static async Task<Room> OpenAsync(LiveTestHost host, int attendees = 0, string prefix = "user")
    {
        var created = (await host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Should cities ban cars?" }, As(HostUser))).Discussion;
        await host.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As(HostUser));
        var room = new Room(host, created);
        await Parallel.ForEachAsync(Enumerable.Range(0, attendees), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) => await room.JoinAsync($"{prefix}-{i}"));
        return room;
    }

    public async Task JoinAsync(string user) =>
        await Host.Discussions.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = Discussion.InviteCode }, As(user));

    /// <summary>Posts comments one after another as the host; returns their event sequence numbers.</summary>
    public async Task<List<ulong>> PostAsync(int count, string text = "comment", string author = HostUser)
    {
        var seqs = new List<ulong>(count);
        for (var i = 0; i < count; i++)
        {
            var posted = await Host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = Id, Text = $"{text} {i}" }, As(author));
            seqs.Add(posted.Comment.Seq);
        }
        return seqs;
    }

    /// <summary>
    /// Waits out the publisher's route cache after the first watcher arrived, so that what is posted next
    /// travels by pub/sub (before that, watchers get it from the log by tail checks, a second or so later).
    /// </summary>
    public static Task WaitForRoutesAsync() => Task.Delay(EventPublisher.RouteCacheTtl * 2);

    public async Task<ulong> LastSeqAsync() =>
        (await Host.Discussions.GetDiscussionAsync(new GetDiscussionRequest { DiscussionId = Id }, As(HostUser))).Discussion.LastSeq;
}
