namespace OrleansReplica.Grains.Keyspace;

/// <summary>Redis's value types, numbered as Redis numbers them (the numbers feed DEBUG DIGEST and RDB).</summary>
public enum RedisType
{
    String = 0,
    List = 1,
    Set = 2,
    ZSet = 3,
    Hash = 4,
    Stream = 6,
}

/// <summary>A value stored under a key, with the access metadata OBJECT reports.</summary>
public abstract class RedisValue
{
    public abstract RedisType Type { get; }

    /// <summary>The name OBJECT ENCODING answers.</summary>
    public abstract string EncodingName { get; }

    /// <summary>Unix ms of the last read or write, for OBJECT IDLETIME.</summary>
    public long LastAccessMs { get; set; }

    /// <summary>Logarithmic access counter, for OBJECT FREQ under an LFU policy.</summary>
    public byte AccessFrequency { get; set; } = 5;

    /// <summary>The lower-case type name TYPE answers.</summary>
    public string TypeName => Type switch
    {
        RedisType.String => "string",
        RedisType.List => "list",
        RedisType.Set => "set",
        RedisType.ZSet => "zset",
        RedisType.Hash => "hash",
        RedisType.Stream => "stream",
        _ => "none",
    };

    /// <summary>A deep copy, for COPY.</summary>
    public abstract RedisValue Clone();
}
