using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Replication;

/// <summary>The reference through which the master side, the replica link and persistence reach the backlog grain.</summary>
public sealed class BacklogGrainReference(GrainInvoker<IBacklogGrain> invoker) : GrainReference<IBacklogGrain>(invoker), IBacklogGrain
{
    public Task<ReplicationSubscription?> TryContinueAsync(string replId, long offset, IAsyncObserver<ReplicationBatch> replica) =>
        InvokeAsync((replId, offset, replica), static (grain, psync) => grain.TryContinueAsync(psync.replId, psync.offset, psync.replica));

    public Task ActivateAsync() => InvokeAsync(0, static (grain, _) => grain.ActivateAsync());

    public Task FollowMasterAsync() => InvokeAsync(0, static (grain, _) => grain.FollowMasterAsync());

    public Task<bool> ContinueFromMasterAsync(string? replId) => InvokeAsync(replId, static (grain, replId) => grain.ContinueFromMasterAsync(replId));

    public Task ResetAsync(string replId, long offset, int streamDb) =>
        InvokeAsync((replId, offset, streamDb), static (grain, history) => grain.ResetAsync(history.replId, history.offset, history.streamDb));

    public Task PromoteAsync() => InvokeAsync(0, static (grain, _) => grain.PromoteAsync());

    public Task FreeAsync() => InvokeAsync(0, static (grain, _) => grain.FreeAsync());
}
