using OrleansReplica.Runtime;

namespace OrleansReplica.Hosting.Replication.Master;

/// <summary>The reference through which callers reach a resync grain's activation.</summary>
public sealed class ResyncGrainReference(GrainInvoker<IResyncGrain> invoker) : GrainReference<IResyncGrain>(invoker), IResyncGrain
{
    public ValueTask<bool> JoinAsync(ReplicaSender replica) => InvokeAsync(replica, static (grain, replica) => grain.JoinAsync(replica));
}
