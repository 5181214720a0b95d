namespace OrleansReplica.Runtime.Scheduling;

/// <summary>A queued AcquireTurnAsync: when its turn comes, the turn passes to the lease until it is disposed.</summary>
internal sealed class LeaseRequest<TGrain>(GrainActivation activation) : TurnWork where TGrain : class
{
    private readonly TaskCompletionSource<GrainTurnLease<TGrain>> lease = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<GrainTurnLease<TGrain>> Lease => lease.Task;

    public override bool NeedsActiveGrain => true;

    public override bool Run()
    {
        lease.SetResult(new GrainTurnLease<TGrain>(activation, activation.Turn, (TGrain)(object)activation.Grain!));
        return false;
    }

    public override void Fail(Exception error) => lease.TrySetException(error);
}
