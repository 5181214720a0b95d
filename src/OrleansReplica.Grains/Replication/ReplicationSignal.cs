using System.Threading.Tasks.Sources;

namespace OrleansReplica.Grains.Replication;

/// <summary>
/// Wakes the one loop waiting for new stream bytes without allocating per wait; a wake that finds no
/// waiter is remembered, so none is lost between checking for bytes and starting to wait.
/// </summary>
internal sealed class ReplicationSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Woken = 2;

    // Continuations run on the thread pool: a wake comes from a writer inside its shard turn.
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    /// <summary>Completes at the next wake, or at once when one came since the last wait.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Woken) == Woken)
        {
            return default;
        }
        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Woken)
        {
            Volatile.Write(ref _state, Idle);
            return default;
        }
        return new ValueTask(this, _core.Version);
    }

    public void Wake()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Woken:
                    return;
                case Idle when Interlocked.CompareExchange(ref _state, Woken, Idle) == Idle:
                    return;
                case Waiting when Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting:
                    _core.SetResult(true);
                    return;
            }
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
