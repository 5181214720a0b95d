using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Runtime;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// The replica side of replication for one silo (one activation per silo): follows a master, and
/// every change the link makes to the silo's data or history happens in one of its turns.
/// </summary>
public interface IReplicaLinkGrain : IGrainWithIntegerKey
{
    /// <summary>At start: follows the master of the <c>replicaof</c> setting, if any.</summary>
    Task StartAsync();

    /// <summary>REPLICAOF host port: follows that master; false when already following it.</summary>
    Task<bool> ReplicaOfAsync(string host, int port);

    /// <summary>REPLICAOF NO ONE: stops following, keeps the data, starts a new history (the old id stays valid as replid2).</summary>
    Task PromoteAsync();

    /// <summary>Silo shutdown: ends the attempts (the silo stays configured as a replica).</summary>
    Task StopAsync();

    /// <summary>The history to ask PSYNC for: this silo's replid and offset + 1, or "?" and -1.</summary>
    Task<(string ReplId, long Offset)> PsyncRequestAsync(ReplicaLinkRun run);

    /// <summary>A full sync's snapshot arrived and loaded aside: installs it and takes the master's history.</summary>
    Task InstallSnapshotAsync(ReplicaLinkRun run, SnapshotLoader loader, string replId, long offset, bool legacy);

    /// <summary>The master accepted a partial resync (+CONTINUE, with its replid when PSYNC2).</summary>
    Task ContinueAsync(ReplicaLinkRun run, string? replId);

    /// <summary>Applies the stream bytes received so far.</summary>
    ValueTask ApplyStreamAsync(ReplicaLinkRun run);
}
