namespace OrleansReplica.Runtime.Scheduling;

/// <summary>
/// A runtime-initiated turn (activation, deactivation, timer tick, stream delivery) running a callback;
/// skipped when the grain object it was meant for has been deactivated meanwhile.
/// </summary>
internal sealed class CallbackTurn(GrainActivation activation, Grain? owner, Func<Task> callback) : TurnWork
{
    private readonly GrainActivation activation = activation;
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? finished;

    public Task Completion => completion.Task;

    public override bool Run()
    {
        if (owner is not null && !ReferenceEquals(activation.Grain, owner))
        {
            finished = Task.CompletedTask;
            return true;
        }

        Task task;
        try
        {
            task = callback();
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        if (task.IsCompleted)
        {
            finished = task;
            return true;
        }

        task.ContinueWith(
            static (done, state) =>
            {
                var self = (CallbackTurn)state!;
                self.activation.ExitTurn();
                self.Complete(done);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return false;
    }

    public override void Publish() => Complete(finished!);

    private void Complete(Task task)
    {
        if (task.IsFaulted)
        {
            completion.TrySetException(task.Exception.InnerExceptions);
        }
        else if (task.IsCanceled)
        {
            completion.TrySetCanceled();
        }
        else
        {
            completion.TrySetResult();
        }
    }
}
