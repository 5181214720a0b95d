using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace OrleansReplica.Runtime.Scheduling;

/// <summary>
/// The activation of one grain id: owns the grain object and its turn. A turn is held by exactly one
/// party at a time: an inline caller, a queued work item, a lease, or the pump that drains the queue.
/// </summary>
/// <remarks>
/// Fast path: an idle activation runs the call on the caller's thread (no hop, no allocation when the
/// grain method completes synchronously). Otherwise the call is queued and the pump, a task on this
/// activation's scheduler, runs the queue in arrival order. The turn is released only when no work is
/// pending, so a released turn always means an empty queue and FIFO order holds for inline entries too.
/// The activation outlives deactivation: the next call simply builds a fresh grain object (a collectible
/// grain's activation is instead forgotten by the runtime, and the next call for its id starts a new one).
/// <para>
/// The turn lives in one state word (<see cref="TurnState"/>): an uncontended call or lease enters with
/// one compare-and-swap and exits with one, without the gate. The gate guards the queue, the pump and
/// deactivation. Queued work is added under the gate and marked in the word by one atomic step that also
/// takes the turn if it is free (then the enqueuer starts the pump). A holder's exit swap expects the word
/// unmarked, so once work is marked the swap fails and the holder hands the turn to the pump under the
/// gate instead of releasing it: either side starts the pump, no wake-up is lost, and a free turn still
/// means an empty queue, so lock-free entries never overtake queued work.
/// </para>
/// </remarks>
internal sealed class GrainActivation
{
    private const int PumpQuantumMilliseconds = 50;

    // Guards the queue, the deactivation request, the resources and the scheduler's queue; the fast
    // paths never take it.
    private readonly Lock gate = new();
    private readonly TurnState state = new();

    // Bounded busy-wait for a held turn (only worth it when the holder runs on another core).
    private static readonly int MaxEntrySpins = Environment.ProcessorCount > 1 ? 40 : 0;
    private const int EntrySpinIterations = 8;
    private readonly Queue<TurnWork> pending = new();
    private readonly List<IDisposable> resources = [];
    private readonly GrainRegistration registration;
    private readonly ActivationTaskScheduler scheduler;
    private TurnWork? deactivation;

    public GrainActivation(GrainRuntime runtime, GrainRegistration registration, Type grainInterface, GrainId grainId, long? integerKey)
    {
        Runtime = runtime;
        this.registration = registration;
        GrainInterface = grainInterface;
        GrainId = grainId;
        IntegerKey = integerKey;
        scheduler = new ActivationTaskScheduler(gate, state);
        Reference = registration.CreateReference(this);
    }

    public GrainRuntime Runtime { get; }

    public Type GrainInterface { get; }

    public GrainId GrainId { get; }

    public long? IntegerKey { get; }

    /// <summary>The reference handed out by the grain factory.</summary>
    public object Reference { get; }

    /// <summary>The live grain object, or null while not activated.</summary>
    public Grain? Grain { get; private set; }

    /// <summary>Number of the turn in progress; a lease compares it to end only its own turn.</summary>
    public long Turn => TurnState.TurnOf(state.Read());

    public ILogger Logger => Runtime.Logger;

    public ValueTask<TResult> Invoke<TGrain, TArg, TResult>(TArg arg, Func<TGrain, TArg, ValueTask<TResult>> method)
        where TGrain : class
    {
        if (!TryEnterInline(out var grain, out var entered))
        {
            return Queued(new GrainCall<TGrain, TArg, TResult>(this, arg, method)).Result;
        }

        ValueTask<TResult> result;
        var callerContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(scheduler.Context);
        try
        {
            result = method(Unsafe.As<TGrain>(grain), arg);
        }
        catch (Exception ex)
        {
            result = ValueTask.FromException<TResult>(ex);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(callerContext);
        }

        var completed = result.IsCompleted;
        ExitInline(entered, completed);
        if (completed)
        {
            return result;
        }

        // Started inline but went asynchronous: the turn stays held until the grain method completes.
        var call = new GrainCall<TGrain, TArg, TResult>(this, arg, null);
        call.Continue(result);
        return call.Result;
    }

    public ValueTask Invoke<TGrain, TArg>(TArg arg, Func<TGrain, TArg, ValueTask> method)
        where TGrain : class
    {
        if (!TryEnterInline(out var grain, out var entered))
        {
            return Queued(new GrainCall<TGrain, (TArg, Func<TGrain, TArg, ValueTask>), bool>(
                this, (arg, method), static (grain, call) => AsBoolean(call.Item2(grain, call.Item1)))).VoidResult;
        }

        ValueTask result;
        var callerContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(scheduler.Context);
        try
        {
            result = method(Unsafe.As<TGrain>(grain), arg);
        }
        catch (Exception ex)
        {
            result = ValueTask.FromException(ex);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(callerContext);
        }

        var completed = result.IsCompleted;
        ExitInline(entered, completed);
        if (completed)
        {
            return result;
        }

        var call = new GrainCall<TGrain, object?, bool>(this, null, null);
        call.Continue(AsBoolean(result));
        return call.VoidResult;
    }

    public ValueTask<GrainTurnLease<TGrain>> AcquireTurn<TGrain>() where TGrain : class
    {
        if (TryEnterTurn(out var grain, out var turn))
        {
            return new ValueTask<GrainTurnLease<TGrain>>(new GrainTurnLease<TGrain>(this, turn, Unsafe.As<TGrain>(grain)));
        }

        return new ValueTask<GrainTurnLease<TGrain>>(Queued(new LeaseRequest<TGrain>(this)).Lease);
    }

    /// <summary>Takes the turn when it is free or frees within a short spin; never queues.</summary>
    public bool TryAcquireTurn<TGrain>(out GrainTurnLease<TGrain> lease) where TGrain : class
    {
        if (TryEnterTurn(out var grain, out var turn))
        {
            lease = new GrainTurnLease<TGrain>(this, turn, Unsafe.As<TGrain>(grain));
            return true;
        }

        lease = default;
        return false;
    }

    /// <summary>Queues work behind every turn already requested.</summary>
    public void Enqueue(TurnWork work)
    {
        bool startPump;
        lock (gate)
        {
            pending.Enqueue(work);
            startPump = state.RequestTurn();
        }

        if (startPump)
        {
            SchedulePump();
        }
    }

    /// <summary>Ends the current turn (called by its holder): hands it to the pump when work is waiting, else releases it.</summary>
    public void ExitTurn() => ExitTurn(Turn);

    /// <summary>Ends the turn only if it is still the given one (a lease ends its own turn at most once).</summary>
    public void ExitTurn(long leasedTurn)
    {
        var current = state.Read();
        while (true)
        {
            if ((current & TurnState.Held) == 0 || TurnState.TurnOf(current) != leasedTurn)
            {
                return; // a stale lease: its turn already ended
            }

            if ((current & TurnState.Work) != 0)
            {
                break; // work is waiting: hand the turn on under the gate
            }

            var seen = state.Change(current, TurnState.Ended(current, TurnState.Held));
            if (seen == current)
            {
                return;
            }

            current = seen; // the scheduler flags moved, or work arrived: look again
        }

        lock (gate)
        {
            current = state.Read();
            if ((current & TurnState.Held) == 0 || TurnState.TurnOf(current) != leasedTurn)
            {
                return;
            }

            if (!HandOnLocked())
            {
                return;
            }
        }

        SchedulePump();
    }

    /// <summary>Runs the callback as a turn of this activation, skipped when <paramref name="owner"/> is no longer the live grain.</summary>
    public Task RunTurnAsync(Grain? owner, Func<Task> callback)
    {
        var work = new CallbackTurn(this, owner, callback);
        Enqueue(work);
        return work.Completion;
    }

    public Task DeactivateAsync(DeactivationReasonCode reason, CancellationToken ct) =>
        RunTurnAsync(null, () => DeactivateGrainAsync(reason, ct)).WaitAsync(ct);

    /// <summary>Deactivates <paramref name="grain"/> right after the current turn, ahead of queued work.</summary>
    public void RequestDeactivation(Grain grain)
    {
        bool startPump;
        lock (gate)
        {
            if (!ReferenceEquals(Grain, grain) || deactivation is not null)
            {
                return;
            }

            deactivation = new CallbackTurn(this, grain, () => DeactivateGrainAsync(DeactivationReasonCode.ApplicationRequested, CancellationToken.None));
            startPump = state.RequestTurn();
        }

        if (startPump)
        {
            SchedulePump();
        }
    }

    /// <summary>Ties a timer or subscription to the live grain object: it is disposed when that object deactivates.</summary>
    public void Track(Grain owner, IDisposable resource)
    {
        lock (gate)
        {
            if (ReferenceEquals(Grain, owner))
            {
                resources.Add(resource);
                return;
            }
        }

        resource.Dispose();
    }

    public void Untrack(IDisposable resource)
    {
        lock (gate)
        {
            resources.Remove(resource);
        }
    }

    private static ValueTask<bool> AsBoolean(ValueTask task) =>
        task.IsCompletedSuccessfully ? new ValueTask<bool>(true) : AwaitAsBoolean(task);

    private static async ValueTask<bool> AwaitAsBoolean(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    private T Queued<T>(T work) where T : TurnWork
    {
        Enqueue(work);
        return work;
    }

    /// <summary>
    /// Takes the turn and the scheduler for grain code about to run on this thread, in one compare-and-swap
    /// from a fully idle state. Fails when the turn is taken, work is queued, the grain is not active, or the
    /// scheduler is still draining the tail of an earlier turn (its code must not overlap ours); the call is
    /// then queued, which keeps FIFO order.
    /// </summary>
    private bool TryEnterInline([NotNullWhen(true)] out Grain? grain, out long entered)
    {
        while (true)
        {
            var idle = state.Read();

            // Read after the state: the grain object changes only inside a turn, and any turn since this
            // read advances the turn number, which makes the swap below fail.
            grain = Grain;
            entered = idle | TurnState.Held | TurnState.Claimed;
            if ((idle & TurnState.Flags) != 0 || grain is null)
            {
                return false;
            }

            if (state.Change(idle, entered) == idle)
            {
                scheduler.EnterInline();
                return true;
            }
        }
    }

    /// <summary>Releases the scheduler after inline code ran, and the turn too when the call completed.</summary>
    private void ExitInline(long entered, bool completed)
    {
        scheduler.LeaveInline();

        // Fast path: nothing was queued to the activation or its scheduler while the code ran.
        var next = completed ? TurnState.Ended(entered, TurnState.Flags) : entered & ~TurnState.Claimed;
        if (state.Change(entered, next) != entered)
        {
            ExitInlineSlow(completed);
        }
    }

    private void ExitInlineSlow(bool completed)
    {
        bool postScheduler;
        var startPump = false;
        lock (gate)
        {
            postScheduler = scheduler.ReleaseInlineLocked();
            if (completed)
            {
                startPump = HandOnLocked();
            }
        }

        if (postScheduler)
        {
            scheduler.PostToThreadPool();
        }

        if (startPump)
        {
            SchedulePump();
        }
    }

    /// <summary>
    /// Ends the current turn under the gate: keeps it held for the pump when work is waiting (returns true:
    /// the caller starts the pump), else releases it.
    /// </summary>
    private bool HandOnLocked()
    {
        if (deactivation is null && pending.Count == 0)
        {
            state.End();
            return false;
        }

        state.HandOn();
        return true;
    }

    private bool TryEnterTurn([NotNullWhen(true)] out Grain? grain, out long turn)
    {
        // When another thread holds a short turn and nobody is queued, waiting a few hundred
        // nanoseconds for it is far cheaper than queueing and resuming through the thread pool.
        // Queued work is never overtaken, so arrival order is kept.
        for (var spins = 0; ; spins++)
        {
            var current = state.Read();
            grain = Grain; // read after the state, as in TryEnterInline
            turn = TurnState.TurnOf(current);
            if (grain is null)
            {
                return false;
            }

            if ((current & (TurnState.Held | TurnState.Work)) == 0)
            {
                // Free: only the scheduler flags may move under us; a lease does not need the scheduler.
                if (state.Change(current, current | TurnState.Held) == current)
                {
                    return true;
                }

                continue;
            }

            if ((current & TurnState.Work) != 0 || spins >= MaxEntrySpins)
            {
                return false;
            }

            Thread.SpinWait(EntrySpinIterations);
        }
    }

    private void SchedulePump() =>
        Task.Factory.StartNew(static state => ((GrainActivation)state!).Pump(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);

    // Runs inside a task on the activation scheduler, so grain code it calls sees that scheduler as current.
    private void Pump()
    {
        var deadline = Environment.TickCount64 + PumpQuantumMilliseconds;
        TurnWork? finished = null;
        while (true)
        {
            TurnWork? work;
            lock (gate)
            {
                work = NextWork();
                if (work is null)
                {
                    // Under the gate with an empty queue, so clearing the work mark is safe. The turn
                    // number already advanced when the last turn ended.
                    state.Release();
                }
            }

            finished?.Publish();
            if (work is null || !work.Run())
            {
                return; // idle, or the work keeps the turn and exits it when it completes
            }

            state.HandOn(); // that turn ended; the pump keeps holding for the next one
            finished = work;
            if (Environment.TickCount64 >= deadline)
            {
                finished.Publish();
                SchedulePump(); // yield the thread to other activations, keeping the turn
                return;
            }
        }
    }

    private TurnWork? NextWork()
    {
        if (deactivation is { } requested)
        {
            deactivation = null;
            return requested;
        }

        if (!pending.TryPeek(out var next))
        {
            return null;
        }

        return next.NeedsActiveGrain && Grain is null
            ? new CallbackTurn(this, null, ActivateGrainAsync)
            : pending.Dequeue();
    }

    private async Task ActivateGrainAsync()
    {
        Grain? grain = null;
        try
        {
            grain = registration.CreateGrain(Runtime.Services);
            grain.Attach(this);
            lock (gate)
            {
                Grain = grain;
            }

            await grain.OnActivateAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Activation of grain {GrainId} failed", GrainId);
            ReleaseGrain(grain);
            FailPendingCalls(ex);
        }
    }

    private async Task DeactivateGrainAsync(DeactivationReasonCode reason, CancellationToken ct)
    {
        var grain = Grain;
        if (grain is null)
        {
            return;
        }

        StopResources();
        try
        {
            await grain.OnDeactivateAsync(reason, ct);
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Deactivation of grain {GrainId} failed", GrainId);
        }
        finally
        {
            ReleaseGrain(grain);
            if (registration.Collectible)
            {
                Runtime.Forget(this);
            }
        }
    }

    private void ReleaseGrain(Grain? grain)
    {
        lock (gate)
        {
            if (ReferenceEquals(Grain, grain))
            {
                Grain = null;
            }
        }

        StopResources();
    }

    private void StopResources()
    {
        IDisposable[] stopping;
        lock (gate)
        {
            stopping = [.. resources];
            resources.Clear();
        }

        foreach (var resource in stopping)
        {
            resource.Dispose();
        }
    }

    // Like Orleans, calls waiting for an activation that failed to activate are rejected with its error.
    private void FailPendingCalls(Exception error)
    {
        List<TurnWork> failed = [];
        lock (gate)
        {
            var count = pending.Count;
            for (var i = 0; i < count; i++)
            {
                var work = pending.Dequeue();
                if (work.NeedsActiveGrain)
                {
                    failed.Add(work);
                }
                else
                {
                    pending.Enqueue(work);
                }
            }
        }

        foreach (var work in failed)
        {
            work.Fail(error);
        }
    }
}
