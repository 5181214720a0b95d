using Microsoft.Extensions.Logging;

namespace OrleansReplica.Runtime.Scheduling;

/// <summary>
/// A grain timer: each tick is a turn of the activation; the next tick is armed only after the callback
/// completes, so ticks never overlap. A failing callback is logged and the timer keeps going.
/// </summary>
internal sealed class GrainTimer<TState> : IDisposable
{
    private readonly GrainActivation activation;
    private readonly Grain owner;
    private readonly Func<TState, CancellationToken, Task> callback;
    private readonly TState state;
    private readonly TimeSpan period;
    private readonly CancellationTokenSource stopping = new();
    private readonly Func<Task> tick;
    private readonly ITimer timer;

    public GrainTimer(GrainActivation activation, Grain owner, Func<TState, CancellationToken, Task> callback, TState state, TimeSpan dueTime, TimeSpan period)
    {
        ThrowIfNegative(dueTime, nameof(dueTime));
        ThrowIfNegative(period, nameof(period));

        this.activation = activation;
        this.owner = owner;
        this.callback = callback;
        this.state = state;
        this.period = period;
        tick = TickAsync;
        timer = activation.Runtime.TimeProvider.CreateTimer(
            static self => ((GrainTimer<TState>)self!).OnDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        activation.Track(owner, this);
        Arm(dueTime);
    }

    public void Dispose()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        stopping.Cancel();
        timer.Dispose();
        activation.Untrack(this);
    }

    private static void ThrowIfNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be zero or more, or infinite.");
        }
    }

    private void OnDue()
    {
        if (!stopping.IsCancellationRequested)
        {
            _ = activation.RunTurnAsync(owner, tick);
        }
    }

    private async Task TickAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await callback(state, stopping.Token);
        }
        catch (Exception ex)
        {
            activation.Logger.LogError(ex, "Timer callback of grain {GrainId} failed", activation.GrainId);
        }

        Arm(period);
    }

    private void Arm(TimeSpan due)
    {
        if (due == Timeout.InfiniteTimeSpan || stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // disposed concurrently: the timer is stopping anyway
        }
    }
}
