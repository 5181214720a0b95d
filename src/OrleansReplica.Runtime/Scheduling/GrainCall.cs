using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace OrleansReplica.Runtime.Scheduling;

/// <summary>
/// A grain call that waited in the queue, or that started inline and went asynchronous. Its caller
/// resumes asynchronously, so caller code never runs on (or inherits the context of) the activation.
/// </summary>
internal sealed class GrainCall<TGrain, TArg, TResult>(
    GrainActivation activation, TArg arg, Func<TGrain, TArg, ValueTask<TResult>>? method)
    : TurnWork, IValueTaskSource<TResult>, IValueTaskSource
    where TGrain : class
{
    private ManualResetValueTaskSourceCore<TResult> core = new() { RunContinuationsAsynchronously = true };
    private ConfiguredValueTaskAwaitable<TResult>.ConfiguredValueTaskAwaiter awaiter;
    private TResult? syncResult;
    private Exception? syncError;

    public ValueTask<TResult> Result => new(this, core.Version);

    public ValueTask VoidResult => new(this, core.Version);

    public override bool NeedsActiveGrain => true;

    public override bool Run()
    {
        ValueTask<TResult> pending;
        try
        {
            pending = method!(Unsafe.As<TGrain>(activation.Grain!), arg);
            if (!pending.IsCompleted)
            {
                Continue(pending);
                return false;
            }

            syncResult = pending.Result;
        }
        catch (Exception ex)
        {
            syncError = ex;
        }

        return true;
    }

    public override void Publish()
    {
        if (syncError is null)
        {
            core.SetResult(syncResult!);
        }
        else
        {
            core.SetException(syncError);
        }
    }

    /// <summary>Keeps the turn until <paramref name="pending"/> completes, then exits it and completes the caller.</summary>
    public void Continue(ValueTask<TResult> pending)
    {
        awaiter = pending.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(OnPendingCompleted);
    }

    public override void Fail(Exception error) => core.SetException(error);

    public TResult GetResult(short token) => core.GetResult(token);

    void IValueTaskSource.GetResult(short token) => core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        core.OnCompleted(continuation, state, token, flags);

    private void OnPendingCompleted()
    {
        TResult result;
        try
        {
            result = awaiter.GetResult();
        }
        catch (Exception ex)
        {
            activation.ExitTurn();
            core.SetException(ex);
            return;
        }

        activation.ExitTurn();
        core.SetResult(result);
    }
}
