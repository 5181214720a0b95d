using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using OrleansReplica.Runtime.Tests.Support;

namespace OrleansReplica.Runtime.Tests;

/// <summary>
/// Several threads race inline calls, calls that keep the turn across an await, leases, timer ticks and
/// deactivations on one activation: turns must never overlap, every call must complete, and each caller's
/// calls must run in the order it issued them.
/// </summary>
public sealed class TurnStressTests
{
    private const int Callers = 4;
    private const int CallsPerCaller = 5_000;
    private const int MaxOutstanding = 32;

    [Fact]
    public async Task Calls_leases_and_timer_ticks_from_many_threads_never_overlap_and_keep_each_callers_order()
    {
        var probe = new StressProbe();
        var runtime = CreateRuntime(probe);
        try
        {
            var grain = runtime.GetGrain<IStressGrain>(1);
            await grain.StartTicking(TimeSpan.FromMilliseconds(1));

            await Hammer(grain, probe, deactivateEvery: 0);
            await Wait.Until(() => probe.Ticks >= 3, "timer ticks");
            await Wait.Within(grain.StopTicking());

            Assert.Equal(0, probe.Overlaps);
            AssertEachCallerInOrder(probe);
            Assert.Equal(1, probe.Activations);

            // The grain's own unsynchronized counter loses no update only if turns are exclusive.
            Assert.Equal(Callers * CallsPerCaller + probe.Ticks, await Wait.Within(grain.Count().AsTask()));
        }
        finally
        {
            await DisposeWithin(runtime);
        }
    }

    [Fact]
    public async Task Calls_and_leases_racing_deactivations_never_overlap_and_keep_each_callers_order()
    {
        var probe = new StressProbe();
        var runtime = CreateRuntime(probe);
        try
        {
            await Hammer(runtime.GetGrain<IStressGrain>(1), probe, deactivateEvery: 97);

            Assert.Equal(0, probe.Overlaps);
            AssertEachCallerInOrder(probe);
            Assert.True(probe.Activations > 1, "deactivated activations come back on the next call");
        }
        finally
        {
            await DisposeWithin(runtime);
        }
    }

    // A lost wake-up leaves the shutdown turn waiting forever: fail instead of hanging the run.
    private static Task DisposeWithin(GrainRuntime runtime) => Wait.Within(runtime.DisposeAsync().AsTask());

    private static GrainRuntime CreateRuntime(StressProbe probe) =>
        new(new GrainRegistry().AddGrain<IStressGrain, StressGrain>(invoker => new StressGrainReference(invoker)),
            new ServiceCollection().AddSingleton(probe).BuildServiceProvider());

    private static async Task Hammer(IStressGrain grain, StressProbe probe, int deactivateEvery)
    {
        var reference = TestRuntime.AsReference(grain);
        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, Callers)
            .Select(caller => Task.Run(() => Caller(grain, reference, probe, caller, deactivateEvery, start)))
            .ToArray();
        start.Set();
        await Wait.Within(Task.WhenAll(callers));
    }

    // Mostly awaits each call (so idle turns are taken inline, racing the other threads), and now and
    // then issues a burst without awaiting, so later calls find the turn held or work queued and must
    // queue behind the earlier ones rather than overtake them.
    private static async Task Caller(
        IStressGrain grain, GrainReference<IStressGrain> reference, StressProbe probe, int caller, int deactivateEvery, ManualResetEventSlim start)
    {
        start.Wait();
        var random = new Random(caller);
        var outstanding = new List<Task>(MaxOutstanding);
        var burst = 1;
        for (var sequence = 0; sequence < CallsPerCaller; sequence++)
        {
            outstanding.Add(
                deactivateEvery > 0 && sequence % deactivateEvery == deactivateEvery - 1
                    ? grain.Deactivate(caller, sequence).AsTask()
                    : random.Next(8) switch
                    {
                        0 => grain.NoteAsync(caller, sequence).AsTask(),
                        1 => UnderLease(reference, probe, caller, sequence, holdAcrossAwait: false),
                        2 => UnderLease(reference, probe, caller, sequence, holdAcrossAwait: true),
                        // Some inline turns last a while, so other threads arrive and queue while they run.
                        _ => grain.Note(caller, sequence, random.Next(3) == 0 ? random.Next(500) : 0).AsTask(),
                    });
            if (outstanding.Count >= burst)
            {
                await Task.WhenAll(outstanding);
                outstanding.Clear();
                burst = random.Next(4) == 0 ? random.Next(2, MaxOutstanding) : 1;
            }
        }

        await Task.WhenAll(outstanding);
    }

    private static async Task UnderLease(GrainReference<IStressGrain> reference, StressProbe probe, int caller, int sequence, bool holdAcrossAwait)
    {
        using var lease = await reference.AcquireTurnAsync();
        probe.Enter();
        await lease.Grain.Bump(); // direct call on the grain object, inside the leased turn
        probe.Record(caller, sequence);
        if (holdAcrossAwait)
        {
            await Task.Yield();
        }

        probe.Leave();
    }

    private static void AssertEachCallerInOrder(StressProbe probe)
    {
        var byCaller = probe.Calls.GroupBy(call => call.Caller).ToDictionary(group => group.Key, group => group.Select(call => call.Sequence));
        Assert.Equal(Callers, byCaller.Count);
        foreach (var sequences in byCaller.Values)
        {
            Assert.Equal(Enumerable.Range(0, CallsPerCaller), sequences);
        }
    }
}

public interface IStressGrain : IGrainWithIntegerKey
{
    /// <summary>Records the call after spinning <paramref name="spin"/> iterations inside the turn.</summary>
    ValueTask<int> Note(int caller, int sequence, int spin);

    /// <summary>Records the call, then keeps the turn across an await.</summary>
    ValueTask<int> NoteAsync(int caller, int sequence);

    /// <summary>Counts one operation without recording it (for leases, which record themselves).</summary>
    ValueTask Bump();

    ValueTask Deactivate(int caller, int sequence);

    ValueTask<int> Count();

    Task StartTicking(TimeSpan period);

    Task StopTicking();
}

/// <summary>Shared by the stress grain's activations: counts overlapping turns and records the order calls ran in.</summary>
public sealed class StressProbe
{
    private int inside;
    private int overlaps;
    private int activations;
    private int ticks;

    public int Overlaps => Volatile.Read(ref overlaps);

    public int Activations => Volatile.Read(ref activations);

    public int Ticks => Volatile.Read(ref ticks);

    public ConcurrentQueue<(int Caller, int Sequence)> Calls { get; } = new();

    public void Enter()
    {
        if (Interlocked.Increment(ref inside) != 1)
        {
            Interlocked.Increment(ref overlaps);
        }
    }

    public void Leave() => Interlocked.Decrement(ref inside);

    public void Record(int caller, int sequence) => Calls.Enqueue((caller, sequence));

    public void Activated() => Interlocked.Increment(ref activations);

    public void Tick() => Interlocked.Increment(ref ticks);
}

internal sealed class StressGrain(StressProbe probe) : Grain, IStressGrain
{
    private bool active;
    private int count;
    private IDisposable? timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Enter();
        await Task.Yield();
        active = true;
        probe.Activated();
        probe.Leave();
    }

    public override Task OnDeactivateAsync(DeactivationReasonCode reason, CancellationToken cancellationToken)
    {
        active = false;
        return Task.CompletedTask;
    }

    public ValueTask<int> Note(int caller, int sequence, int spin)
    {
        probe.Enter();
        EnsureActive();
        Thread.SpinWait(spin);
        count++;
        probe.Record(caller, sequence);
        probe.Leave();
        return new ValueTask<int>(sequence);
    }

    public async ValueTask<int> NoteAsync(int caller, int sequence)
    {
        probe.Enter();
        EnsureActive();
        count++;
        probe.Record(caller, sequence);
        await Task.Yield();
        probe.Leave();
        return sequence;
    }

    public ValueTask Bump()
    {
        EnsureActive();
        count++;
        return default;
    }

    public ValueTask Deactivate(int caller, int sequence)
    {
        probe.Enter();
        EnsureActive();
        probe.Record(caller, sequence);
        DeactivateOnIdle();
        probe.Leave();
        return default;
    }

    public ValueTask<int> Count() => new(count);

    public Task StartTicking(TimeSpan period)
    {
        timer = RegisterGrainTimer(static (self, _) => self.TickAsync(), this, TimeSpan.Zero, period);
        return Task.CompletedTask;
    }

    public Task StopTicking()
    {
        timer?.Dispose();
        return Task.CompletedTask;
    }

    private void EnsureActive()
    {
        if (!active)
        {
            throw new InvalidOperationException("called outside an activation (before OnActivateAsync or after deactivation)");
        }
    }

    // Every other tick keeps its turn across an await.
    private async Task TickAsync()
    {
        probe.Enter();
        count++;
        probe.Tick();
        if (count % 2 == 0)
        {
            await Task.Yield();
        }

        probe.Leave();
    }
}

internal sealed class StressGrainReference(GrainInvoker<IStressGrain> invoker) : GrainReference<IStressGrain>(invoker), IStressGrain
{
    public ValueTask<int> Note(int caller, int sequence, int spin) =>
        InvokeAsync((caller, sequence, spin), static (g, a) => g.Note(a.caller, a.sequence, a.spin));

    public ValueTask<int> NoteAsync(int caller, int sequence) => InvokeAsync((caller, sequence), static (g, a) => g.NoteAsync(a.caller, a.sequence));

    public ValueTask Bump() => InvokeAsync(0, static (g, _) => g.Bump());

    public ValueTask Deactivate(int caller, int sequence) => InvokeAsync((caller, sequence), static (g, a) => g.Deactivate(a.caller, a.sequence));

    public ValueTask<int> Count() => InvokeAsync(0, static (g, _) => g.Count());

    public Task StartTicking(TimeSpan period) => InvokeAsync(period, static (g, p) => g.StartTicking(p));

    public Task StopTicking() => InvokeAsync(0, static (g, _) => g.StopTicking());
}
