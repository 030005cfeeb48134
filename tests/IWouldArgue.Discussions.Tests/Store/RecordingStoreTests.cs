using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>A discussion's voice recording is stored with it and survives reopening the database.</summary>
public sealed class RecordingStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task TheWishTheRecordingAndItsFile_AreKept_TheFileUntilAnotherIsGiven()
    {
        var store = await _db.OpenAsync();
        var none = await store.GetRecordingAsync("d1");
        await store.WantRecordingAsync("d1");
        var started = new Recording { DiscussionId = "d1", RecordingId = "EG_1", State = RecordingState.Active, StartedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddDays(20000)) };
        await store.SaveRecordingAsync(started, "s3://records/d1.ogg");
        started.State = RecordingState.Finishing;
        await store.SaveRecordingAsync(started);
        store.Dispose();

        var reopened = await _db.OpenAsync();
        var (wanted, recording, file) = await reopened.GetRecordingAsync("d1");

        Assert.Equal((false, null, null), none);
        Assert.True(wanted);
        Assert.Equal("EG_1", recording?.RecordingId);
        Assert.Equal(RecordingState.Finishing, recording?.State);
        Assert.Equal("s3://records/d1.ogg", file);
    }
}
