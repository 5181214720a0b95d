using System.Runtime.CompilerServices;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>Maps Redis Cluster hash slots onto shards in contiguous ranges.</summary>
public sealed class ShardMap
{
    public ShardMap(int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardCount, HashSlot.Count);
        ShardCount = shardCount;
    }

    public int ShardCount { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ShardOfSlot(int slot) => (int)((long)slot * ShardCount / HashSlot.Count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ShardOf(ReadOnlySpan<byte> key) => ShardCount == 1 ? 0 : ShardOfSlot(HashSlot.Of(key));
}
