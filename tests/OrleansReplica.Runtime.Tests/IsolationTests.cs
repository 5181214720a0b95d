using OrleansReplica.Runtime.Tests.Grains;
using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

public sealed class IsolationTests
{
    [Fact]
    public async Task Two_runtimes_share_nothing()
    {
        var firstProbe = new TurnProbe();
        var secondProbe = new TurnProbe();
        await using var first = TestRuntime.Create(firstProbe);
        await using var second = TestRuntime.Create(secondProbe);
        first.AddStreamProvider("mem", new MemoryStreamProvider("mem"));
        second.AddStreamProvider("mem", new MemoryStreamProvider("mem"));

        Assert.Equal(5, await first.GetGrain<ITestGrain>(1).Add(5));
        using (var lease = await TestRuntime.AsReference(first.GetGrain<ITestGrain>(1)).AcquireTurnAsync())
        {
            // a held turn in one runtime does not block the same grain id in the other
            Assert.Equal(1, await Wait.Within(second.GetGrain<ITestGrain>(1).Add(1).AsTask()));
        }

        Assert.NotSame(first.GetStreamProvider("mem"), second.GetStreamProvider("mem"));
        Assert.Equal(1, firstProbe.Activations);
        Assert.Equal(1, secondProbe.Activations);
    }
}
