using IWouldArgue.BuildingBlocks;

namespace IWouldArgue.BuildingBlocks.Tests;

public sealed class FreshReadsTests
{
    [Fact]
    public async Task ManyCallersAtOnce_ShareTwoReads_AndNoneGetsAValueReadBeforeItAsked()
    {
        var reads = new FreshReads<int>();
        var version = 0;
        var started = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> Read()
        {
            var n = Interlocked.Increment(ref started);
            var seen = Volatile.Read(ref version);
            if (n == 1)
            {
                await gate.Task; // the first read is slow: everyone below asks while it is under way
            }
            return seen;
        }

        var first = reads.ReadAsync("d", Read);
        Volatile.Write(ref version, 1); // changed after the first read began: later callers must see it
        var later = Enumerable.Range(0, 1000).Select(_ => reads.ReadAsync("d", Read)).ToList();
        gate.SetResult();

        Assert.Equal(0, await first);
        Assert.All(await Task.WhenAll(later), value => Assert.Equal(1, value));
        Assert.Equal(2, started);
    }

    [Fact]
    public async Task AFailedRead_FailsItsCallers_AndTheNextCallReadsAgain()
    {
        var reads = new FreshReads<int>();
        var calls = 0;

        await Assert.ThrowsAsync<TimeoutException>(() => reads.ReadAsync("d", () => Interlocked.Increment(ref calls) == 1 ? throw new TimeoutException() : Task.FromResult(7)));
        var again = await reads.ReadAsync("d", () => Interlocked.Increment(ref calls) == 1 ? throw new TimeoutException() : Task.FromResult(7));

        Assert.Equal(7, again);
    }

    [Fact]
    public async Task ReadsThatCompleteAtOnce_NeverLeaveACallerWaiting()
    {
        var reads = new FreshReads<int>();

        var values = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => reads.ReadAsync("d", () => Task.FromResult(i))));

        Assert.Equal(Enumerable.Range(0, 100), values);
    }
}
