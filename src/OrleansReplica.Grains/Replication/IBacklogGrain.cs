using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Replication;

/// <summary>
/// A silo's replication history (one activation per silo): its replication ids, offsets and backlog, and
/// whether the backlog is fed by this silo's own writes (a master) or by its master's bytes (a replica).
/// Every change of the history, and every decision that depends on it (can PSYNC continue from here?),
/// is one of its turns. Writes themselves are appended in their shard turns, through the propagation log.
/// </summary>
public interface IBacklogGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// PSYNC &lt;replid&gt; &lt;offset&gt;: when the id is ours (or our previous one up to where it is valid)
    /// and the backlog still holds the offset, subscribes <paramref name="replica"/> to the stream from
    /// there; null means a full resync.
    /// </summary>
    Task<ReplicationSubscription?> TryContinueAsync(string replId, long offset, IAsyncObserver<ReplicationBatch> replica);

    /// <summary>
    /// The first replica attaches: creates the backlog if there is none, with a new replication id and
    /// no replid2 (Redis's history starts there). Writes then feed it; a full sync's cut may come later.
    /// </summary>
    Task ActivateAsync();

    /// <summary>REPLICAOF host port: from now on the backlog is fed the master's bytes only, never this silo's own writes.</summary>
    Task FollowMasterAsync();

    /// <summary>
    /// The master accepted a partial resync: the backlog is kept from here (a history never served yet
    /// starts now) and, when the master continued with another id, that id is taken (ours becomes replid2).
    /// True when the id changed.
    /// </summary>
    Task<bool> ContinueFromMasterAsync(string? replId);

    /// <summary>A replica took its master's history (a full sync, or an RDB that recorded one): that id and offset, an empty backlog.</summary>
    Task ResetAsync(string replId, long offset, int streamDb);

    /// <summary>REPLICAOF NO ONE: a new id (the old one stays valid as replid2 up to the current offset); own writes feed the backlog again.</summary>
    Task PromoteAsync();

    /// <summary>repl-backlog-ttl: frees the backlog of a master left without replicas; a new id starts.</summary>
    Task FreeAsync();
}
