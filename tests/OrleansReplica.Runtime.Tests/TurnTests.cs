using OrleansReplica.Runtime.Tests.Grains;
using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

public sealed class TurnTests
{
    [Fact]
    public async Task First_calls_activate_once_and_wait_for_OnActivateAsync()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);

        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await grain.Add(1);
            }))
            .ToArray();
        start.Set();
        var results = await Wait.Within(Task.WhenAll(callers));

        Assert.Equal(1, probe.Activations);
        Assert.Equal(Enumerable.Range(1, 8), results.Order());
    }

    [Fact]
    public async Task GetGrain_returns_one_reference_per_key_with_its_identity()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());

        var grain = runtime.GetGrain<ITestGrain>(42);

        Assert.Same(grain, runtime.GetGrain<ITestGrain>(42));
        Assert.NotSame(grain, runtime.GetGrain<ITestGrain>(43));
        Assert.Equal(42, await grain.PrimaryKey());
        var id = new GrainId(typeof(ITestGrain).FullName!, "42");
        Assert.Equal(id, await grain.Identity());
        Assert.Equal(id, TestRuntime.AsReference(grain).GrainId);
    }

    [Fact]
    public async Task Calls_from_one_caller_run_in_order_one_at_a_time_across_awaits()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);
        await grain.Ping();

        var calls = Enumerable.Range(0, 300).Select(i => grain.Record(i).AsTask()).ToArray();
        await Wait.Within(Task.WhenAll(calls));

        Assert.Equal(Enumerable.Range(0, 300), probe.Order);
        Assert.Equal(1, probe.MaxConcurrent);
    }

    [Fact]
    public async Task Concurrent_callers_keep_their_own_order_and_never_overlap()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);

        var callers = Enumerable.Range(0, 4).Select(caller => Task.Run(async () =>
        {
            var calls = new List<Task>();
            for (var i = 0; i < 200; i++)
            {
                calls.Add(grain.RecordFrom(caller, i).AsTask());
                calls.Add(grain.Add(1).AsTask());
            }

            await Task.WhenAll(calls);
        }));
        await Wait.Within(Task.WhenAll(callers));

        Assert.Equal(1, probe.MaxConcurrent);
        Assert.Equal(800, await grain.Get());
        foreach (var caller in probe.CallerOrder.GroupBy(call => call.Caller))
        {
            Assert.Equal(Enumerable.Range(0, 200), caller.Select(call => call.Sequence));
        }
    }

    [Fact]
    public async Task An_inline_call_that_goes_asynchronous_keeps_the_turn()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);
        await grain.Ping();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var holding = grain.WaitFor(gate.Task);
        var queued = grain.Add(5);

        Assert.False(holding.IsCompleted);
        Assert.False(queued.IsCompleted);
        gate.SetResult();
        Assert.Equal(5, await Wait.Within(queued.AsTask()));
        await holding;
        Assert.Equal(1, probe.MaxConcurrent);
    }

    [Fact]
    public async Task Queued_calls_run_on_the_activation_scheduler()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());
        var grain = runtime.GetGrain<ITestGrain>(1);
        await grain.Ping();

        var lease = await TestRuntime.AsReference(grain).AcquireTurnAsync();
        var check = grain.RunsOnActivationScheduler();
        lease.Dispose();

        Assert.True(await Wait.Within(check.AsTask()));
    }

    [Fact]
    public async Task Await_continuations_of_an_inline_call_never_run_in_parallel()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);
        await grain.Ping();

        await Wait.Within(grain.FanOut(8));

        Assert.Equal(1, probe.MaxConcurrent);
    }

    [Fact]
    public async Task Exceptions_reach_the_caller_and_the_activation_survives()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);
        await grain.Add(2);

        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Throw().AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => grain.ThrowAsync());

        var lease = await TestRuntime.AsReference(grain).AcquireTurnAsync();
        var queuedThrow = grain.Throw();
        var queuedAsyncThrow = grain.ThrowAsync();
        lease.Dispose();
        await Assert.ThrowsAsync<InvalidOperationException>(() => queuedThrow.AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => queuedAsyncThrow);

        Assert.Equal(5, await grain.Add(3));
        Assert.Equal(1, probe.Activations);
    }

    [Fact]
    public async Task Every_reference_method_shape_returns_its_result()
    {
        await using var runtime = TestRuntime.Create(new TurnProbe());
        var grain = runtime.GetGrain<ITestGrain>(1);

        Assert.Equal("hi", await grain.Echo("hi"));
        await grain.Touch();
        await grain.Ping();

        var lease = await TestRuntime.AsReference(grain).AcquireTurnAsync();
        var echo = grain.Echo("queued");
        var touch = grain.Touch();
        var ping = grain.Ping();
        lease.Dispose();
        Assert.Equal("queued", await Wait.Within(echo));
        await Wait.Within(touch);
        await Wait.Within(ping.AsTask());
    }

    [Fact]
    public async Task A_failed_activation_fails_waiting_calls_and_the_next_call_activates_again()
    {
        var probe = new TurnProbe { ActivationFailure = new InvalidDataException("no state") };
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);

        await Assert.ThrowsAsync<InvalidDataException>(() => grain.Add(1).AsTask());

        probe.ActivationFailure = null;
        Assert.Equal(1, await grain.Add(1));
        Assert.Equal(1, probe.Activations);
    }
}
