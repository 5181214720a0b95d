using OrleansReplica.Runtime.Tests.Grains;
using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

public sealed class TimerTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_tick_is_a_turn_and_the_next_is_armed_only_after_it_completes()
    {
        var probe = new TurnProbe();
        var clock = new ManualTimeProvider();
        await using var runtime = TestRuntime.Create(probe, clock);
        var grain = runtime.GetGrain<ITestGrain>(1);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.TickHook = tick => tick == 1 ? release.Task : Task.CompletedTask;
        await grain.StartTimer(Second, Second);

        clock.Advance(Second);
        await Wait.Until(() => probe.Ticks == 1, "the first tick");
        var call = grain.Get();
        Assert.False(call.IsCompleted);
        Assert.Equal(0, clock.ArmedTimerCount);

        release.SetResult();
        await Wait.Within(call.AsTask());
        await Wait.Until(() => clock.ArmedTimerCount == 1, "the timer to be re-armed");
        clock.Advance(Second);
        await Wait.Until(() => probe.Ticks == 2, "the second tick");
        Assert.Equal(1, probe.MaxConcurrent);
    }

    [Fact]
    public async Task A_failing_tick_is_ignored_and_the_timer_keeps_going()
    {
        var probe = new TurnProbe();
        var clock = new ManualTimeProvider();
        await using var runtime = TestRuntime.Create(probe, clock);
        var grain = runtime.GetGrain<ITestGrain>(1);
        probe.TickHook = tick => tick == 1 ? throw new InvalidOperationException("tick failed") : Task.CompletedTask;
        await grain.StartTimer(Second, Second);

        clock.Advance(Second);
        await Wait.Until(() => probe.Ticks == 1 && clock.ArmedTimerCount == 1, "the failed tick to re-arm");
        clock.Advance(Second);

        await Wait.Until(() => probe.Ticks == 2, "the tick after the failure");
    }

    [Fact]
    public async Task Disposing_the_timer_stops_it()
    {
        var probe = new TurnProbe();
        var clock = new ManualTimeProvider();
        await using var runtime = TestRuntime.Create(probe, clock);
        var grain = runtime.GetGrain<ITestGrain>(1);
        await grain.StartTimer(Second, Second);
        clock.Advance(Second);
        await Wait.Until(() => probe.Ticks == 1 && clock.ArmedTimerCount == 1, "the first tick");

        await grain.StopTimer();
        clock.Advance(Second);
        clock.Advance(Second);
        await grain.Ping(); // any tick queued before this call would have run by now

        Assert.Equal(1, probe.Ticks);
        Assert.Equal(0, clock.TimerCount);
    }

    [Fact]
    public async Task Fast_real_time_ticks_never_overlap_calls_or_each_other()
    {
        var probe = new TurnProbe();
        await using var runtime = TestRuntime.Create(probe);
        var grain = runtime.GetGrain<ITestGrain>(1);
        probe.TickHook = async _ => await Task.Yield();
        await grain.StartTimer(TimeSpan.Zero, TimeSpan.FromMilliseconds(1));

        var calls = Task.Run(async () =>
        {
            while (probe.Ticks < 20)
            {
                await grain.Record(1);
            }
        });
        await Wait.Within(calls);
        await grain.StopTimer();

        Assert.Equal(1, probe.MaxConcurrent);
    }
}
