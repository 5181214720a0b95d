namespace OrleansReplica.Grains.Replication;

/// <summary>A consumer of propagated writes (the AOF, the replication backlog): called in write order, under the log's lock.</summary>
public interface IPropagationSink
{
    /// <summary>
    /// One command as a RESP multibulk frame, to apply in database <paramref name="db"/> (the sink emits
    /// SELECT first when it is not the selected one); -1 for EXEC, which needs none. MULTI comes with the
    /// database of the transaction's first command, so that a SELECT precedes MULTI as in Redis's streams.
    /// </summary>
    void Append(int db, ReadOnlySpan<byte> command);
}
