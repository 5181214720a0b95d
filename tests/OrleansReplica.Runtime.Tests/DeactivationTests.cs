using OrleansReplica.Runtime.Tests.Grains;
using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

public sealed class DeactivationTests
{
    [Fact]
    public async Task DeactivateAllAsync_deactivates_every_activation_and_stops_its_timers()
    {
        var probe = new TurnProbe();
        var clock = new ManualTimeProvider();
        var runtime = TestRuntime.Create(probe, clock);
        for (var key = 1; key <= 3; key++)
        {
            await runtime.GetGrain<ITestGrain>(key).Ping();
        }

        await runtime.GetGrain<ITestGrain>(1).StartTimer(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _ = runtime.GetGrain<ITestGrain>(99); // a reference never called has nothing to deactivate

        await Wait.Within(runtime.DeactivateAllAsync());

        Assert.Equal([DeactivationReasonCode.ShuttingDown, DeactivationReasonCode.ShuttingDown, DeactivationReasonCode.ShuttingDown], probe.Deactivations);
        Assert.Equal(0, clock.TimerCount);
        await runtime.DisposeAsync();
        Assert.Equal(3, probe.Deactivations.Count);
    }

    [Fact]
    public async Task DeactivateOnIdle_ends_the_activation_and_the_next_call_gets_a_fresh_one()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);
        Assert.Equal(5, await grain.Add(5));

        await grain.DeactivateSoon();
        var afterwards = await grain.Add(1);

        Assert.Equal(1, afterwards);
        Assert.Equal(2, probe.Activations);
        Assert.Equal([DeactivationReasonCode.ApplicationRequested], probe.Deactivations);
        Assert.Same(grain, runtime.GetGrain<ITestGrain>(1));
    }

    [Fact]
    public async Task A_collectible_grain_is_forgotten_when_it_deactivates_and_its_id_starts_afresh()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe, collectible: true);
        var grain = runtime.GetGrain<ITestGrain>(1);
        Assert.Equal(5, await grain.Add(5));
        Assert.Same(grain, runtime.GetGrain<ITestGrain>(1));

        await grain.DeactivateSoon();
        await Wait.Until(() => !ReferenceEquals(runtime.GetGrain<ITestGrain>(1), grain), "the deactivated activation to be forgotten");

        var fresh = runtime.GetGrain<ITestGrain>(1);
        Assert.Equal(1, await fresh.Add(1));
        Assert.Same(fresh, runtime.GetGrain<ITestGrain>(1));
        Assert.Equal(2, probe.Activations);
        Assert.Equal([DeactivationReasonCode.ApplicationRequested], probe.Deactivations);
    }
}
