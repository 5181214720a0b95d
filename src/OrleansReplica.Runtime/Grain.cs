using System.Globalization;
using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>Base class of grain implementations: state plus code that runs one turn at a time.</summary>
/// <remarks>
/// The runtime attaches the grain to its activation right after construction, so <see cref="GrainId"/>,
/// timers and streams are available from <see cref="OnActivateAsync"/> on, not in the constructor.
/// </remarks>
public abstract class Grain
{
    private GrainActivation? activation;

    public GrainId GrainId => Activation.GrainId;

    protected IGrainFactory GrainFactory => Activation.Runtime;

    private GrainActivation Activation =>
        activation ?? throw new InvalidOperationException("The grain is not attached to an activation yet; use OnActivateAsync.");

    public long GetPrimaryKeyLong() =>
        Activation.IntegerKey ?? (long.TryParse(GrainId.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var key)
            ? key
            : throw new InvalidOperationException($"Grain {GrainId} does not have an integer key."));

    public string GetPrimaryKeyString() => GrainId.Key;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(DeactivationReasonCode reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Registers a timer whose ticks are turns of this activation. The next tick is armed only after the
    /// callback's task completes, so ticks never overlap; disposing the result stops the timer.
    /// </summary>
    protected IDisposable RegisterGrainTimer<TState>(
        Func<TState, CancellationToken, Task> callback, TState state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new GrainTimer<TState>(Activation, this, callback, state, dueTime, period);
    }

    /// <summary>Deactivates this activation once the current turn ends; later calls get a fresh activation.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation(this);

    /// <summary>A stream provider whose subscriptions deliver items to this grain as turns of its activation.</summary>
    protected IStreamProvider GetStreamProvider(string name) =>
        new GrainStreamProvider(Activation.Runtime.GetStreamProvider(name), Activation, this);

    internal void Attach(GrainActivation owner) => activation = owner;
}
