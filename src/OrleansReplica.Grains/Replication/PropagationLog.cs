namespace OrleansReplica.Grains.Replication;

/// <summary>
/// The silo's stream of writes as Redis propagates them, handed in one total order to every sink.
/// Writes are appended while their shard turns are held, so the order agrees with execution; a sink
/// added or removed while every shard's turn is held starts or stops at a consistent cut.
/// </summary>
public sealed class PropagationLog
{
    private readonly Lock _gate = new();
    private volatile IPropagationSink[] _sinks = [];

    /// <summary>False when nobody consumes writes: commands then skip building their propagated form.</summary>
    public bool HasSinks => _sinks.Length != 0;

    public void AddSink(IPropagationSink sink)
    {
        lock (_gate)
        {
            _sinks = [.. _sinks, sink];
        }
    }

    public void RemoveSink(IPropagationSink sink)
    {
        lock (_gate)
        {
            _sinks = _sinks.Where(s => s != sink).ToArray();
        }
    }

    /// <summary>Appends one command's (or one transaction's) propagated commands as one unit.</summary>
    public void Append(PropagationBuffer commands)
    {
        lock (_gate)
        {
            foreach (var sink in _sinks)
            {
                commands.CopyTo(sink);
            }
        }
    }

    /// <summary>Appends a single command (DEL of a key the active expiry cycle removed).</summary>
    public void Append(int db, ReadOnlySpan<byte> command)
    {
        lock (_gate)
        {
            foreach (var sink in _sinks)
            {
                sink.Append(db, command);
            }
        }
    }
}
