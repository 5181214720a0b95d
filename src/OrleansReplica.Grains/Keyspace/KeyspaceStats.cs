namespace OrleansReplica.Grains.Keyspace;

/// <summary>Counters one shard keeps for INFO stats; written only in the shard's turn, read racily by INFO.</summary>
public sealed class KeyspaceStats
{
    public long KeyspaceHits;
    public long KeyspaceMisses;
    public long ExpiredKeys;
    public long ExpiredStaleKeysSampled;
    public long ExpireCycleCpuMs;
}
