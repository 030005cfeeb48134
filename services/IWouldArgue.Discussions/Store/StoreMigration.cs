using Microsoft.Extensions.Hosting;

namespace IWouldArgue.Discussions.Store;

/// <summary>Brings the store's schema up to date at start-up, before anything reads or writes it.</summary>
internal sealed class StoreMigration(IDiscussionStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store switch
    {
        SqliteDiscussionStore sqlite => sqlite.MigrateAsync(cancellationToken),
        PostgresDiscussionStore postgres => postgres.MigrateAsync(cancellationToken),
        _ => Task.CompletedTask,
    };

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
