using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The event log's SQLite store alone, on one thread: comments appended in batches of a given size (as the
/// appender batches concurrent posts), then each batch marked published (the publisher marks bigger batches,
/// up to 2,000 events every 250 ms, so this step costs less in the product than here), spread over
/// <c>discussions</c>. Prints the comments per second and the microseconds each comment costs in each step,
/// the ceiling of the full comment path on this machine.
/// </summary>
internal static class StoreAppend
{
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
            for (var end = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3; Stopwatch.GetTimestamp() < end;)
            {
                await store.MarkPublishedAsync(await store.AppendAsync(Batch()));
            }
            n = 0;
            long appendTicks = 0, markTicks = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                var events = Batch();
                var start = Stopwatch.GetTimestamp();
                var stored = await store.AppendAsync(events);
                var appended = Stopwatch.GetTimestamp();
                await store.MarkPublishedAsync(stored);
                markTicks += Stopwatch.GetTimestamp() - appended;
                appendTicks += appended - start;
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
