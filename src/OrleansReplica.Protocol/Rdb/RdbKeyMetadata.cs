namespace OrleansReplica.Protocol.Rdb;

/// <summary>What an RDB says about a key besides its value: its database, expire time (-1 none), LRU idle seconds (-1 none) and LFU frequency (-1 none).</summary>
public readonly record struct RdbKeyMetadata(int Db, long ExpireAtMs, long IdleSeconds, int Frequency);
