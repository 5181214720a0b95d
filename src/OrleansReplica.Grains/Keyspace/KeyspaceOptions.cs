namespace OrleansReplica.Grains.Keyspace;

/// <summary>The keyspace settings of one silo (databases, shards, expiry), shared by its shard grains.</summary>
public sealed class KeyspaceOptions
{
    public int Databases { get; init; } = 16;

    public int Shards { get; init; } = Environment.ProcessorCount;

    /// <summary>Server cron frequency (CONFIG hz): active expiry runs this many times a second.</summary>
    public int Hz { get; set; } = 10;

    /// <summary>DEBUG SET-ACTIVE-EXPIRE; off also while this silo is a replica.</summary>
    public bool ActiveExpireEnabled { get; set; } = true;

    /// <summary>True on a master; a replica neither expires keys actively nor deletes them lazily.</summary>
    public bool ExpiresKeys { get; set; } = true;

    /// <summary>True under an LFU maxmemory-policy: OBJECT FREQ answers, OBJECT IDLETIME refuses.</summary>
    public bool LfuPolicy { get; set; }

    /// <summary>The wall clock in Unix ms.</summary>
    public UnixClock Clock { get; } = new();
}
