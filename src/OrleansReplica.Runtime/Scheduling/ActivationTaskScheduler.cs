namespace OrleansReplica.Runtime.Scheduling;

/// <summary>
/// Runs an activation's tasks one at a time: a locked queue, posted once to the thread pool when it
/// becomes runnable and drained until empty or a time quantum passes (Orleans's work-item group).
/// </summary>
internal sealed class ActivationTaskScheduler : TaskScheduler, IThreadPoolWorkItem
{
    private const int QuantumMilliseconds = 50;

    private readonly Lock gate; // shared with the activation
    private readonly Queue<ScheduledItem> queue = new();
    private bool posted;
    private int drainingThread;

    public ActivationTaskScheduler(Lock gate)
    {
        this.gate = gate;
        Context = new ActivationSynchronizationContext(this);
    }

    public SynchronizationContext Context { get; }

    public override int MaximumConcurrencyLevel => 1;

    public void Post(SendOrPostCallback callback, object? state) => Enqueue(new ScheduledItem(null, callback, state));

    /// <summary>True while a thread-pool drain or an inline caller is responsible for the queue. Caller holds the gate.</summary>
    public bool IsClaimedLocked => posted;

    /// <summary>Claims the queue for grain code running inline on this thread, so nothing it posts runs beside it. Caller holds the gate.</summary>
    public void ClaimForInlineLocked()
    {
        posted = true;
        drainingThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>Ends the inline claim; returns true when the inline code queued work and the queue must be posted. Caller holds the gate.</summary>
    public bool ReleaseInlineLocked()
    {
        drainingThread = 0;
        posted = queue.Count > 0;
        return posted;
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
            post = !posted;
            posted = true;
        }

        if (post)
        {
            PostToThreadPool();
        }
    }

    /// <summary>Returns true when the quantum ran out with items left (the queue stays posted).</summary>
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
                        posted = false;
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
                        posted = queue.Count > 0;
                        return posted;
                    }
                }
            }
        }
        finally
        {
            drainingThread = 0;
            SynchronizationContext.SetSynchronizationContext(null);
        }
    }
}
