using OrleansReplica.Runtime;

namespace OrleansReplica.Hosting.Replication.Master;

/// <summary>One full sync: the replicas that ask within one window share a point-in-time snapshot of the keyspace.</summary>
public interface IResyncGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Adds <paramref name="replica"/> to this sync: true when it gets this sync's snapshot, false once the
    /// snapshot has been cut (the replica then joins the next sync).
    /// </summary>
    ValueTask<bool> JoinAsync(ReplicaSender replica);
}
