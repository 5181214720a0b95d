namespace OrleansReplica.Protocol.Aof;

/// <summary>The role of a file listed in an AOF manifest ('b', 'h' and 'i' in the manifest's "type" field).</summary>
public enum AofFileType
{
    /// <summary>The snapshot loaded first: an RDB preamble file (.base.rdb) or commands (.base.aof).</summary>
    Base,

    /// <summary>A file made obsolete by a rewrite; never loaded, deleted once the new manifest is durable.</summary>
    History,

    /// <summary>Commands appended after the base, loaded in sequence order.</summary>
    Incremental,
}
