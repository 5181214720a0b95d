namespace OrleansReplica.Runtime.Scheduling;

/// <summary>
/// Installed while grain code runs inline on a caller's thread, so its await continuations return to
/// the activation's queue instead of running on the thread pool beside other work of the same turn.
/// </summary>
internal sealed class ActivationSynchronizationContext(ActivationTaskScheduler scheduler) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => scheduler.Post(d, state);

    public override SynchronizationContext CreateCopy() => this;
}
