namespace OrleansReplica.Hosting.Replication.Master;

/// <summary>What a replica tells its master with REPLCONF before PSYNC.</summary>
public sealed class ReplicaHandshake
{
    /// <summary>REPLCONF listening-port: the port the replica serves clients on.</summary>
    public int ListeningPort { get; set; }

    /// <summary>REPLCONF ip-address (replica-announce-ip).</summary>
    public string? IpAddress { get; set; }

    /// <summary>REPLCONF capa eof: it can load a diskless ($EOF:) transfer.</summary>
    public bool CapaEof { get; set; }

    /// <summary>REPLCONF capa psync2: it understands +CONTINUE with a replication id.</summary>
    public bool CapaPsync2 { get; set; }
}
