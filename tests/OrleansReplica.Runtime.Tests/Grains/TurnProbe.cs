using System.Collections.Concurrent;

namespace OrleansReplica.Runtime.Tests.Grains;

/// <summary>Injected into test grains: records what ran, in which order, and whether turns ever overlapped.</summary>
public sealed class TurnProbe
{
    private int inside;
    private int maxInside;
    private int activations;
    private int ticks;

    public int MaxConcurrent => Volatile.Read(ref maxInside);

    public int Activations => Volatile.Read(ref activations);

    public int Ticks => Volatile.Read(ref ticks);

    public ConcurrentQueue<int> Order { get; } = new();

    public ConcurrentQueue<(int Caller, int Sequence)> CallerOrder { get; } = new();

    public ConcurrentQueue<DeactivationReasonCode> Deactivations { get; } = new();

    public ConcurrentQueue<int> StreamItems { get; } = new();

    /// <summary>When set, OnActivateAsync throws it.</summary>
    public Exception? ActivationFailure { get; set; }

    /// <summary>Run by each timer tick with the tick number; may hold the tick or throw.</summary>
    public Func<int, Task>? TickHook { get; set; }

    public void Enter()
    {
        var now = Interlocked.Increment(ref inside);
        int seen;
        while (now > (seen = Volatile.Read(ref maxInside)) && Interlocked.CompareExchange(ref maxInside, now, seen) != seen)
        {
        }
    }

    public void Leave() => Interlocked.Decrement(ref inside);

    public void Activated() => Interlocked.Increment(ref activations);

    public int Tick() => Interlocked.Increment(ref ticks);
}
