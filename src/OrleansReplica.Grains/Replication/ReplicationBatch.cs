namespace OrleansReplica.Grains.Replication;

/// <summary>
/// Bytes of the replication stream: they start at <see cref="Offset"/> (the offset of their first byte),
/// and after them the stream has database <see cref="StreamDb"/> selected (-1: unchanged, not known).
/// </summary>
public readonly record struct ReplicationBatch(long Offset, ReadOnlyMemory<byte> Bytes, int StreamDb = -1);
