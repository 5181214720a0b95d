namespace OrleansReplica.Runtime.Tests.Grains;

public interface ITestGrain : IGrainWithIntegerKey
{
    ValueTask<int> Add(int n);

    ValueTask<int> Get();

    ValueTask Ping();

    Task<string> Echo(string text);

    Task Touch();

    /// <summary>Enters, yields, records <paramref name="n"/>, leaves: a turn that spans awaits.</summary>
    ValueTask<int> Record(int n);

    ValueTask RecordFrom(int caller, int sequence);

    /// <summary>Holds the turn until <paramref name="gate"/> completes.</summary>
    Task WaitFor(Task gate);

    ValueTask Throw();

    Task ThrowAsync();

    /// <summary>True when the current task scheduler is a non-default one, the same before and after an await.</summary>
    ValueTask<bool> RunsOnActivationScheduler();

    /// <summary>Runs several async branches whose synchronous segments must never overlap.</summary>
    Task FanOut(int branches);

    ValueTask<long> PrimaryKey();

    ValueTask<GrainId> Identity();

    ValueTask DeactivateSoon();

    Task StartTimer(TimeSpan dueTime, TimeSpan period);

    Task StopTimer();
}

internal sealed class TestGrain(TurnProbe probe) : Grain, ITestGrain
{
    private int total;
    private bool activated;
    private IDisposable? timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (probe.ActivationFailure is { } failure)
        {
            throw failure;
        }

        probe.Activated();
        activated = true;
    }

    public override Task OnDeactivateAsync(DeactivationReasonCode reason, CancellationToken cancellationToken)
    {
        probe.Deactivations.Enqueue(reason);
        return Task.CompletedTask;
    }

    public ValueTask<int> Add(int n)
    {
        if (!activated)
        {
            throw new InvalidOperationException("called before OnActivateAsync completed");
        }

        probe.Enter();
        total += n;
        probe.Leave();
        return new ValueTask<int>(total);
    }

    public ValueTask<int> Get() => new(total);

    public ValueTask Ping() => default;

    public Task<string> Echo(string text) => Task.FromResult(text);

    public Task Touch() => Task.CompletedTask;

    public async ValueTask<int> Record(int n)
    {
        probe.Enter();
        await Task.Yield();
        probe.Order.Enqueue(n);
        await Task.Delay(n % 3 == 0 ? 1 : 0);
        probe.Leave();
        return n;
    }

    public async ValueTask RecordFrom(int caller, int sequence)
    {
        probe.Enter();
        probe.CallerOrder.Enqueue((caller, sequence));
        await Task.Yield();
        probe.Leave();
    }

    public async Task WaitFor(Task gate)
    {
        probe.Enter();
        await gate;
        probe.Leave();
    }

    public ValueTask Throw() => throw new InvalidOperationException("sync failure");

    public async Task ThrowAsync()
    {
        await Task.Yield();
        throw new ArgumentException("async failure");
    }

    public async ValueTask<bool> RunsOnActivationScheduler()
    {
        var before = TaskScheduler.Current;
        await Task.Yield();
        return before != TaskScheduler.Default && TaskScheduler.Current == before;
    }

    public Task FanOut(int branches) => Task.WhenAll(Enumerable.Range(0, branches).Select(_ => Branch()));

    public ValueTask<long> PrimaryKey() => new(GetPrimaryKeyLong());

    public ValueTask<GrainId> Identity() => new(GrainId);

    public ValueTask DeactivateSoon()
    {
        DeactivateOnIdle();
        return default;
    }

    public Task StartTimer(TimeSpan dueTime, TimeSpan period)
    {
        timer = RegisterGrainTimer(static (self, ct) => self.TickAsync(), this, dueTime, period);
        return Task.CompletedTask;
    }

    public Task StopTimer()
    {
        timer?.Dispose();
        return Task.CompletedTask;
    }

    private async Task TickAsync()
    {
        probe.Enter();
        try
        {
            var tick = probe.Tick();
            if (probe.TickHook is { } hook)
            {
                await hook(tick);
            }
        }
        finally
        {
            probe.Leave();
        }
    }

    private async Task Branch()
    {
        for (var i = 0; i < 20; i++)
        {
            probe.Enter();
            Thread.SpinWait(2000);
            probe.Leave();
            await Task.Yield();
        }
    }
}

internal sealed class TestGrainReference(GrainInvoker<ITestGrain> invoker) : GrainReference<ITestGrain>(invoker), ITestGrain
{
    public ValueTask<int> Add(int n) => InvokeAsync(n, static (g, n) => g.Add(n));

    public ValueTask<int> Get() => InvokeAsync(0, static (g, _) => g.Get());

    public ValueTask Ping() => InvokeAsync(0, static (g, _) => g.Ping());

    public Task<string> Echo(string text) => InvokeAsync(text, static (g, t) => g.Echo(t));

    public Task Touch() => InvokeAsync(0, static (g, _) => g.Touch());

    public ValueTask<int> Record(int n) => InvokeAsync(n, static (g, n) => g.Record(n));

    public ValueTask RecordFrom(int caller, int sequence) =>
        InvokeAsync((caller, sequence), static (g, a) => g.RecordFrom(a.caller, a.sequence));

    public Task WaitFor(Task gate) => InvokeAsync(gate, static (g, t) => g.WaitFor(t));

    public ValueTask Throw() => InvokeAsync(0, static (g, _) => g.Throw());

    public Task ThrowAsync() => InvokeAsync(0, static (g, _) => g.ThrowAsync());

    public ValueTask<bool> RunsOnActivationScheduler() => InvokeAsync(0, static (g, _) => g.RunsOnActivationScheduler());

    public Task FanOut(int branches) => InvokeAsync(branches, static (g, n) => g.FanOut(n));

    public ValueTask<long> PrimaryKey() => InvokeAsync(0, static (g, _) => g.PrimaryKey());

    public ValueTask<GrainId> Identity() => InvokeAsync(0, static (g, _) => g.Identity());

    public ValueTask DeactivateSoon() => InvokeAsync(0, static (g, _) => g.DeactivateSoon());

    public Task StartTimer(TimeSpan dueTime, TimeSpan period) =>
        InvokeAsync((dueTime, period), static (g, a) => g.StartTimer(a.dueTime, a.period));

    public Task StopTimer() => InvokeAsync(0, static (g, _) => g.StopTimer());
}
