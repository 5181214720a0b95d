namespace OrleansReplica.Grains.Replication;

/// <summary>A consumer of propagated writes (the AOF, the replication backlog): called in write order, under the log's lock.</summary>
public interface IPropagationSink
{
    /// <summary>
    /// One command as a RESP multibulk frame, to apply in database <paramref name="db"/>; -1 for MULTI and
    /// EXEC, which need no database (the sink emits SELECT before the first command that does).
    /// </summary>
    void Append(int db, ReadOnlySpan<byte> command);
}
