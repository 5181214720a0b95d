namespace OrleansReplica.Grains.Commands;

/// <summary>Which shard turns a command needs before it runs.</summary>
public enum KeyScope
{
    /// <summary>No keyspace access (PING, CLIENT, CONFIG ...).</summary>
    None,

    /// <summary>The shards of the keys at the command's key positions.</summary>
    Keys,

    /// <summary>Every shard, atomically (KEYS, SCAN, DBSIZE, FLUSHALL, SWAPDB, EXEC ...).</summary>
    AllShards,
}
