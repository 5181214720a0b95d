namespace OrleansReplica.Protocol.Aof;

/// <summary>One line of an AOF manifest: a file of the AOF directory, its sequence number and its role.</summary>
public sealed record AofManifestEntry(string FileName, long Sequence, AofFileType Type)
{
    /// <summary>The letter the manifest stores for <see cref="Type"/>.</summary>
    public char TypeCode => Type switch
    {
        AofFileType.Base => 'b',
        AofFileType.History => 'h',
        _ => 'i',
    };

    /// <summary>The same file with another role (a base or incremental file becoming history after a rewrite).</summary>
    public AofManifestEntry As(AofFileType type) => this with { Type = type };
}
