using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The event log's SQLite store alone, on one thread: comments appended in batches of a given size (as the
/// appender batches concurrent posts), spread over <c>discussions</c>, and marked published
/// <see cref="MarkEvery"/> events at a time, as the publisher marks them under load (every 250 ms, or sooner
/// when 2,000 are waiting). Prints the comments per second and the microseconds each comment costs in each step,
/// the ceiling of the full comment path on this machine.
/// </summary>
internal static class StoreAppend
{
    private const int MarkEvery = 2000;

    public static async Task<int> RunAsync(int discussions, int batch, TimeSpan duration)
    {
        var folder = Directory.CreateTempSubdirectory("iwouldargue-store-bench-").FullName;
        try
        {
            using var store = new SqliteDiscussionStore($"Data Source={Path.Combine(folder, "discussions.db")}");
            await store.MigrateAsync();
            var ids = Enumerable.Range(0, discussions).Select(i => $"d{i}").ToArray();
            foreach (var id in ids)
            {
                await store.CreateDiscussionAsync(new Discussion
                {
                    DiscussionId = id, Title = "Bench", Host = new UserRef { UserId = "host", DisplayName = "Host" },
                    State = DiscussionState.Live, InviteCode = "code-" + id, MaxDuration = Duration.FromTimeSpan(TimeSpan.FromHours(3)),
                });
            }
            var n = 0;
            List<DiscussionEvent> Batch() => [.. Enumerable.Range(0, batch).Select(_ => Comment(ids[n % ids.Length], n++))];
            // Warm-up: JIT and SQLite's page cache.
            var toMark = new List<DiscussionEvent>();
            async Task<long> MarkIfDueAsync()
            {
                if (toMark.Count < MarkEvery)
                {
                    return 0;
                }
                var start = Stopwatch.GetTimestamp();
                await store.MarkPublishedAsync(toMark);
                toMark.Clear();
                return Stopwatch.GetTimestamp() - start;
            }
            for (var end = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3; Stopwatch.GetTimestamp() < end;)
            {
                toMark.AddRange(await store.AppendAsync(Batch()));
                await MarkIfDueAsync();
            }
            n = 0;
            long appendTicks = 0, markTicks = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                var events = Batch();
                var start = Stopwatch.GetTimestamp();
                toMark.AddRange(await store.AppendAsync(events));
                appendTicks += Stopwatch.GetTimestamp() - start;
                markTicks += await MarkIfDueAsync();
            }
            var perComment = (long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency / n;
            Console.WriteLine(FormattableString.Invariant(
                $"comments={n} seconds={clock.Elapsed.TotalSeconds:F2} comments_per_second={n / clock.Elapsed.TotalSeconds:F0} append_us={perComment(appendTicks):F1} mark_published_us={perComment(markTicks):F1}"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static DiscussionEvent Comment(string discussionId, int n) => new()
    {
        DiscussionId = discussionId,
        CommentPosted = new CommentPosted
        {
            Comment = new Comment
            {
                Text = $"comment {n}: a sentence of ordinary length about the topic at hand",
                Author = new UserRef { UserId = $"user-{n % 1000}", DisplayName = $"User {n % 1000}" },
                PostedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            },
        },
    };
}
