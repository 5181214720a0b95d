using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>
/// Base of the reference class of a grain interface: each interface method forwards to one InvokeAsync,
/// which runs the call as a turn of the grain's activation (inline on the caller's thread when it is idle).
/// </summary>
public abstract class GrainReference<TGrainInterface> where TGrainInterface : class, IGrain
{
    private readonly GrainActivation activation;

    protected GrainReference(GrainInvoker<TGrainInterface> invoker)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        activation = invoker.Activation;
    }

    public GrainId GrainId => activation.GrainId;

    protected ValueTask InvokeAsync<TArg>(TArg arg, Func<TGrainInterface, TArg, ValueTask> method) =>
        activation.Invoke(arg, method);

    protected ValueTask<TResult> InvokeAsync<TArg, TResult>(TArg arg, Func<TGrainInterface, TArg, ValueTask<TResult>> method) =>
        activation.Invoke(arg, method);

    protected Task InvokeAsync<TArg>(TArg arg, Func<TGrainInterface, TArg, Task> method) =>
        activation.Invoke<TGrainInterface, (TArg arg, Func<TGrainInterface, TArg, Task> method)>(
            (arg, method), static (grain, call) => new ValueTask(call.method(grain, call.arg))).AsTask();

    protected Task<TResult> InvokeAsync<TArg, TResult>(TArg arg, Func<TGrainInterface, TArg, Task<TResult>> method) =>
        activation.Invoke<TGrainInterface, (TArg arg, Func<TGrainInterface, TArg, Task<TResult>> method), TResult>(
            (arg, method), static (grain, call) => new ValueTask<TResult>(call.method(grain, call.arg))).AsTask();

    /// <summary>
    /// Holds this activation's turn until the lease is disposed. Atomic operations over several grains
    /// acquire their leases in ascending key order. Calling this grain through a reference while holding
    /// its lease deadlocks, as any non-reentrant self-call does.
    /// </summary>
    public ValueTask<GrainTurnLease<TGrainInterface>> AcquireTurnAsync() => activation.AcquireTurn<TGrainInterface>();

    /// <summary>
    /// Takes this activation's turn only when that needs no waiting in its queue: false when it is held
    /// for long or calls are queued, which keeps their order.
    /// </summary>
    public bool TryAcquireTurn(out GrainTurnLease<TGrainInterface> lease) => activation.TryAcquireTurn(out lease);

    public override string ToString() => GrainId.ToString();
}
