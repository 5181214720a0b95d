using OrleansReplica.Runtime.Tests.Grains;
using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

public sealed class GrainStreamTests
{
    private static readonly StreamId Id = new("events", "all");

    [Fact]
    public async Task A_grain_receives_stream_items_as_its_own_turns()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var provider = new MemoryStreamProvider("mem");
        runtime.AddStreamProvider("mem", provider);
        var grain = runtime.GetGrain<IStreamGrain>("consumer");
        await grain.Subscribe("mem", Id);

        var stream = provider.GetStream<int>(Id);
        var reads = Task.Run(async () =>
        {
            while (probe.StreamItems.Count < 200)
            {
                await grain.Count();
            }
        });
        for (var i = 0; i < 200; i++)
        {
            await stream.OnNextAsync(i);
        }

        await Wait.Within(reads);
        Assert.Equal(200, await grain.Count());
        Assert.Equal(Enumerable.Range(0, 200), probe.StreamItems);
        Assert.Equal(1, probe.MaxConcurrent);
    }

    [Fact]
    public async Task A_grain_subscription_ends_on_unsubscribe()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var provider = new MemoryStreamProvider("mem");
        runtime.AddStreamProvider("mem", provider);
        var grain = runtime.GetGrain<IStreamGrain>("consumer");
        await grain.Subscribe("mem", Id);
        var stream = provider.GetStream<int>(Id);
        await stream.OnNextAsync(1);
        await Wait.Until(() => probe.StreamItems.Count == 1, "the first item");

        await grain.Unsubscribe();
        var witness = new RecordingObserver<int>();
        await stream.SubscribeAsync(witness);
        await stream.OnNextAsync(2);
        await Wait.Until(() => witness.Items.Count == 1, "the witness to see the second item");
        await grain.Count(); // a delivery queued before this call would have run by now

        Assert.Equal([1], probe.StreamItems);
    }

    [Fact]
    public async Task Unknown_stream_providers_are_reported_by_name()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());

        var error = Assert.Throws<KeyNotFoundException>(() => runtime.GetStreamProvider("missing"));
        Assert.Contains("missing", error.Message);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => runtime.GetGrain<IStreamGrain>("x").Subscribe("missing", Id));
    }
}
