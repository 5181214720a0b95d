using OrleansReplica.Runtime.Tests.Grains;
using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

public sealed class LeaseTests
{
    [Fact]
    public async Task A_lease_holds_off_every_other_turn_until_disposed()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());
        var grain = runtime.GetGrain<ITestGrain>(1);
        await grain.Ping();

        var lease = await TestRuntime.AsReference(grain).AcquireTurnAsync();
        var read = grain.Get();
        await lease.Grain.Add(5); // direct call on the grain object, inside the leased turn

        Assert.False(read.IsCompleted);
        lease.Dispose();
        Assert.Equal(5, await Wait.Within(read.AsTask()));
    }

    [Fact]
    public async Task A_second_lease_waits_for_the_first()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());
        var grain = runtime.GetGrain<ITestGrain>(1);
        var reference = TestRuntime.AsReference(grain);
        await grain.Ping();

        var first = await reference.AcquireTurnAsync();
        var second = reference.AcquireTurnAsync();
        Assert.False(second.IsCompleted);

        first.Dispose();
        var held = await Wait.Within(second.AsTask());
        first.Dispose(); // a stale dispose must not end the second lease's turn
        var blocked = grain.Get();
        Assert.False(blocked.IsCompleted);

        held.Dispose();
        held.Dispose();
        await Wait.Within(blocked.AsTask());
        Assert.Equal(1, await grain.Add(1));
    }

    [Fact]
    public async Task Leases_on_an_idle_activation_complete_synchronously()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());
        var grain = runtime.GetGrain<ITestGrain>(1);
        await grain.Ping();

        var acquire = TestRuntime.AsReference(grain).AcquireTurnAsync();

        Assert.True(acquire.IsCompletedSuccessfully);
        (await acquire).Dispose();
    }

    [Fact]
    public async Task Leases_on_a_not_yet_active_grain_wait_for_activation()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);

        using var lease = await Wait.Within(TestRuntime.AsReference(grain).AcquireTurnAsync().AsTask());

        Assert.Equal(1, probe.Activations);
        Assert.Equal(1, await lease.Grain.Add(1));
    }

    [Fact]
    public async Task Leases_taken_in_key_order_make_multi_grain_updates_atomic()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());
        var grains = Enumerable.Range(0, 4).Select(key => runtime.GetGrain<ITestGrain>(key)).ToArray();
        foreach (var grain in grains)
        {
            await grain.Add(1000);
        }

        var movers = Enumerable.Range(0, 6).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            for (var i = 0; i < 300; i++)
            {
                var from = random.Next(4);
                var to = (from + 1 + random.Next(3)) % 4;
                using var first = await TestRuntime.AsReference(grains[Math.Min(from, to)]).AcquireTurnAsync();
                using var second = await TestRuntime.AsReference(grains[Math.Max(from, to)]).AcquireTurnAsync();
                await (from < to ? first : second).Grain.Add(-1);
                await (from < to ? second : first).Grain.Add(1);
            }
        }));
        var auditor = Task.Run(async () =>
        {
            var audits = 0;
            while (audits++ < 200)
            {
                var leases = new List<GrainTurnLease<ITestGrain>>();
                foreach (var grain in grains)
                {
                    leases.Add(await TestRuntime.AsReference(grain).AcquireTurnAsync());
                }

                var total = 0;
                foreach (var lease in leases)
                {
                    total += await lease.Grain.Get();
                    lease.Dispose();
                }

                Assert.Equal(4000, total);
            }
        });

        await Wait.Within(Task.WhenAll(movers.Append(auditor)));
    }

    [Fact]
    public async Task Trying_for_a_turn_takes_a_free_one_and_never_queues()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());
        var grain = runtime.GetGrain<ITestGrain>(1);
        var reference = TestRuntime.AsReference(grain);
        await grain.Ping();

        Assert.True(reference.TryAcquireTurn(out var held));
        var queued = grain.Add(1);
        Assert.False(reference.TryAcquireTurn(out _)); // held
        held.Dispose();
        Assert.Equal(1, await Wait.Within(queued.AsTask()));

        Assert.True(reference.TryAcquireTurn(out var again));
        again.Dispose();
        Assert.Equal(2, await grain.Add(1));
    }
}
