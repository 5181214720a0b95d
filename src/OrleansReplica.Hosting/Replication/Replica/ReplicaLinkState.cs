namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>Where a replica is in following its master, in the words ROLE uses.</summary>
public enum ReplicaLinkState
{
    /// <summary>Not a replica.</summary>
    None,

    /// <summary>Must connect: waiting for the next attempt ("connect").</summary>
    Connect,

    /// <summary>The TCP connection is being made ("connecting").</summary>
    Connecting,

    /// <summary>PING, AUTH, REPLCONF and PSYNC are being exchanged ("handshake").</summary>
    Handshake,

    /// <summary>Receiving and loading the snapshot of a full sync ("sync").</summary>
    Transfer,

    /// <summary>Applying the replication stream ("connected").</summary>
    Connected,
}
