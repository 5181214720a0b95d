namespace OrleansReplica.Grains.Replication;

/// <summary>
/// Bytes of the replication stream: they start at <see cref="Offset"/> (the offset of their first byte),
/// and after them the stream has database <see cref="StreamDb"/> selected (-1: unchanged, not known).
/// <see cref="MoreReady"/> says more bytes were already there when these were handed out, so an observer
/// may write them together before flushing. <see cref="Bytes"/> is a slice of the backlog, valid until the
/// observer's OnNextAsync completes (then its block may be reused): an observer that keeps bytes copies them.
/// </summary>
public readonly record struct ReplicationBatch(long Offset, ReadOnlyMemory<byte> Bytes, int StreamDb = -1, bool MoreReady = false);
