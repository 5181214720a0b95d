using OrleansReplica.Runtime.Tests.Grains;
using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

public sealed class AllocationTests
{
    [Fact]
    public async Task Inline_calls_and_idle_leases_allocate_nothing()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());
        var grain = runtime.GetGrain<ITestGrain>(7);
        var reference = TestRuntime.AsReference(grain);
        for (var i = 0; i < 2_000; i++)
        {
            await grain.Add(1);
            await grain.Ping();
            await grain.Touch();
            (await reference.AcquireTurnAsync()).Dispose();
        }

        // The first run of a call site of a shared generic method (GetGrain<T>) costs the runtime a
        // one-time lookup allocation, so the measured loop runs once before it is measured.
        MeasureHotPath(runtime, reference, 1);
        var allocated = MeasureHotPath(runtime, reference, 10_000);

        Assert.Equal(0, allocated);
    }

    // Synchronous on purpose: every call must complete inline for the loop to stay on this thread.
    private static long MeasureHotPath(GrainRuntime runtime, GrainReference<ITestGrain> reference, int iterations)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < iterations; i++)
        {
            var add = runtime.GetGrain<ITestGrain>(7).Add(1);
            Assert.True(add.IsCompletedSuccessfully);
            _ = add.Result;
            var ping = runtime.GetGrain<ITestGrain>(7).Ping();
            Assert.True(ping.IsCompletedSuccessfully);
            var touch = runtime.GetGrain<ITestGrain>(7).Touch();
            Assert.True(touch.IsCompletedSuccessfully);
            var acquire = reference.AcquireTurnAsync();
            Assert.True(acquire.IsCompletedSuccessfully);
            acquire.Result.Dispose();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
