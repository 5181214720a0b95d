using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Shards;

/// <summary>The reference through which callers reach a shard grain's activation.</summary>
public sealed class ShardGrainReference(GrainInvoker<IShardGrain> invoker) : GrainReference<IShardGrain>(invoker), IShardGrain
{
    public ValueTask Execute(CommandContext context) => InvokeAsync(context, static (grain, context) => grain.Execute(context));

    public ShardKeyspace KeyspaceInTurn =>
        throw new InvalidOperationException("A shard's keyspace is reachable only while holding its turn (AcquireTurnAsync).");
}
