using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Shards;

/// <summary>A partition of every database's keyspace: the keys whose hash slots map to this shard.</summary>
public interface IShardGrain : IGrainWithIntegerKey
{
    /// <summary>Runs a single-shard command in this shard's turn.</summary>
    ValueTask Execute(CommandContext context);

    /// <summary>
    /// The shard's state, for an operation spanning several shards that holds this shard's turn
    /// through a lease. Not available through a grain reference.
    /// </summary>
    ShardKeyspace KeyspaceInTurn { get; }
}
