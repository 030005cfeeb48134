using Grpc.Net.Client;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// How closely Archive.Replay keeps the original pace at 4x: a discussion gets <c>comments</c> comments
/// <c>interval</c> apart and ends; it is then replayed <c>rounds</c> times, and each comment's arrival is
/// compared with its offset / 4 (counted from the replay's first frame). Reference, in the same run: timers
/// of this process set for the same moments, which is as well as this machine can keep time at all.
/// Prints "frames=.. p50_ms=.. p99_ms=.. max_ms=.. timer_p50_ms=.. timer_p99_ms=.. timer_max_ms=..".
/// </summary>
internal static class ReplayPace
{
    public static async Task<int> RunAsync(string address, int comments, TimeSpan interval, int rounds)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var discussions = new DiscussionsService.DiscussionsServiceClient(channel);
        var archive = new ArchiveService.ArchiveServiceClient(channel);
        var host = new CallOptions(new Metadata { { "iwouldargue-user-id", "bench-host" } });
        var id = (await discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Replay pace" }, host)).Discussion.DiscussionId;
        await discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = id }, host);
        for (var i = 0; i < comments; i++)
        {
            await discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = id, Text = $"comment {i}" }, host);
            await Task.Delay(interval);
        }
        await discussions.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = id }, host);

        var replayed = new List<double>();
        var timers = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var offsets = new List<(TimeSpan Due, TimeSpan Arrived)>();
            using var call = archive.ReplayDiscussion(new ReplayDiscussionRequest { DiscussionId = id, Speed = ReplaySpeed._4X, FromOffset = new Duration() }, host);
            var clock = Stopwatch.StartNew();
            await foreach (var frame in call.ResponseStream.ReadAllAsync())
            {
                if (frame.Event.CommentPosted is not null)
                {
                    offsets.Add((frame.Offset.ToTimeSpan() / 4, clock.Elapsed));
                }
            }
            if (round == 0)
            {
                continue; // the first replay also compiles its code path
            }
            var (firstDue, firstArrived) = offsets[0];
            replayed.AddRange(offsets.Select(o => Math.Abs((o.Arrived - firstArrived - (o.Due - firstDue)).TotalMilliseconds)));
            timers.AddRange(await TimersAsync([.. offsets.Select(o => o.Due - firstDue)]));
        }
        Console.WriteLine(FormattableString.Invariant(
            $"frames={replayed.Count} p50_ms={Percentile(replayed, 0.5):F1} p99_ms={Percentile(replayed, 0.99):F1} max_ms={replayed.Max():F1} timer_p50_ms={Percentile(timers, 0.5):F1} timer_p99_ms={Percentile(timers, 0.99):F1} timer_max_ms={timers.Max():F1}"));
        return 0;
    }

    // The same schedule on this process's own timers, waited for the way the replay waits (each moment from the start).
    private static async Task<IEnumerable<double>> TimersAsync(TimeSpan[] moments)
    {
        var errors = new List<double>();
        var started = Stopwatch.GetTimestamp();
        foreach (var due in moments)
        {
            var waited = Stopwatch.GetElapsedTime(started);
            if (due > waited)
            {
                await Task.Delay(due - waited);
            }
            errors.Add(Math.Abs((Stopwatch.GetElapsedTime(started) - due).TotalMilliseconds));
        }
        return errors;
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];
    }
}
