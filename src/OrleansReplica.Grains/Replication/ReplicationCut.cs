namespace OrleansReplica.Grains.Replication;

/// <summary>Where a full sync's snapshot sits in the stream: the history's id, its offset, the database selected there, and the replicas' subscriptions from the next byte.</summary>
public sealed record ReplicationCut(string ReplId, long Offset, int StreamDb, IReadOnlyList<ReplicationSubscription> Subscriptions);
