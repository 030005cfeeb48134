using Microsoft.Data.Sqlite;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>The store closing (the host stopping) while a write is still under way.</summary>
public class StoreShutdownTests
{
    [Fact]
    public async Task DisposingTheStore_WhileAWriteWaitsForTheFile_LetsTheWriteFinish_AndDoesNotThrow()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion("d0"));
        // Another process holds the file's write lock: the store's next write waits for it, holding the store's writer.
        await using var other = new SqliteConnection(db.ConnectionString);
        await other.OpenAsync();
        await ExecuteAsync(other, "BEGIN IMMEDIATE");
        var writing = Task.Run(() => store.CreateDiscussionAsync(TempDatabase.NewDiscussion("d1")));
        await Task.Delay(500);

        var disposing = Task.Run(store.Dispose);
        await Task.Delay(500);
        await ExecuteAsync(other, "COMMIT");

        await disposing;
        await writing;
        using var reopened = await db.OpenAsync();
        Assert.NotNull(await reopened.GetDiscussionAsync("d1"));
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
