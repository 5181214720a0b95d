namespace OrleansReplica.Runtime.Scheduling;

/// <summary>
/// Runs an activation's tasks one at a time: a locked queue, posted once to the thread pool when it
/// becomes runnable and drained until empty or a time quantum passes (Orleans's work-item group).
/// </summary>
/// <remarks>
/// Who is responsible for the queue (a posted drain, or grain code running inline) is the
/// <see cref="TurnState.Claimed"/> flag of the activation's state word, so an inline call claims the
/// scheduler in the same compare-and-swap that takes the turn.
/// </remarks>
internal sealed class ActivationTaskScheduler : TaskScheduler, IThreadPoolWorkItem
{
    private const int QuantumMilliseconds = 50;

    private readonly Lock gate; // shared with the activation
    private readonly TurnState state; // shared with the activation
    private readonly Queue<ScheduledItem> queue = new();
    private int drainingThread;

    public ActivationTaskScheduler(Lock gate, TurnState state)
    {
        this.gate = gate;
        this.state = state;
        Context = new ActivationSynchronizationContext(this);
    }

    public SynchronizationContext Context { get; }

    public override int MaximumConcurrencyLevel => 1;

    public void Post(SendOrPostCallback callback, object? state) => Enqueue(new ScheduledItem(null, callback, state));

    /// <summary>Records that grain code runs inline on this thread; the activation already set the claim.</summary>
    public void EnterInline() => drainingThread = Environment.CurrentManagedThreadId;

    /// <summary>Called before the activation drops the inline claim, so no later drain finds this thread recorded.</summary>
    public void LeaveInline() => drainingThread = 0;

    /// <summary>Ends an inline claim when tasks may have been queued meanwhile; returns true when the queue must be posted. Caller holds the gate.</summary>
    public bool ReleaseInlineLocked()
    {
        var post = queue.Count > 0;
        state.ReleaseScheduler(keepClaim: post);
        return post;
    }

    public void PostToThreadPool() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute()
    {
        if (Drain())
        {
            PostToThreadPool();
        }
    }

    protected override void QueueTask(Task task) => Enqueue(new ScheduledItem(task, null, null));

    // Inlining is safe only on the thread draining this queue: it already excludes every other item.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        drainingThread == Environment.CurrentManagedThreadId && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (gate)
        {
            return queue.Where(item => item.Task is not null).Select(item => item.Task!).ToArray();
        }
    }

    private void Enqueue(ScheduledItem item)
    {
        bool post;
        lock (gate)
        {
            queue.Enqueue(item);
            post = state.ClaimScheduler();
        }

        if (post)
        {
            PostToThreadPool();
        }
    }

    /// <summary>Returns true when the quantum ran out with items left (the queue stays claimed).</summary>
    private bool Drain()
    {
        var deadline = Environment.TickCount64 + QuantumMilliseconds;
        drainingThread = Environment.CurrentManagedThreadId;
        try
        {
            while (true)
            {
                ScheduledItem item;
                lock (gate)
                {
                    if (!queue.TryDequeue(out item))
                    {
                        drainingThread = 0; // before the release: an inline caller may claim right after
                        state.ReleaseScheduler(keepClaim: false);
                        return false;
                    }
                }

                if (item.Task is { } task)
                {
                    // Tasks see this scheduler as TaskScheduler.Current; awaits inside them come back here.
                    SynchronizationContext.SetSynchronizationContext(null);
                    TryExecuteTask(task);
                }
                else
                {
                    SynchronizationContext.SetSynchronizationContext(Context);
                    item.Callback!(item.State);
                }

                if (Environment.TickCount64 >= deadline)
                {
                    lock (gate)
                    {
                        var more = queue.Count > 0;
                        drainingThread = 0;
                        state.ReleaseScheduler(keepClaim: more);
                        return more;
                    }
                }
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(null);
        }
    }
}
