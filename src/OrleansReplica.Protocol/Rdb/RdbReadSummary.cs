namespace OrleansReplica.Protocol.Rdb;

/// <summary>One AUX field of an RDB (name and value as text; values are bytes decoded as Latin-1).</summary>
public readonly record struct RdbAuxField(string Name, string Value);

/// <summary>What a complete read of an RDB found: version, key counts, checksum outcome and aux fields.</summary>
public sealed class RdbReadSummary
{
    public required int Version { get; init; }

    /// <summary>Keys delivered to the handler (empty collections skipped are not counted).</summary>
    public required long Keys { get; init; }

    /// <summary>Keys delivered with an expire time.</summary>
    public required long Expires { get; init; }

    /// <summary>Empty collections skipped, as Redis skips them.</summary>
    public long EmptyKeysSkipped { get; init; }

    /// <summary>The checksum was present (non-zero) and matched; false when the file had none (version &lt; 5 or zero).</summary>
    public required bool ChecksumVerified { get; init; }

    /// <summary>The checksum stored at the end (0 when absent).</summary>
    public ulong Checksum { get; init; }

    /// <summary>Total bytes of the RDB, header through checksum.</summary>
    public long Length { get; init; }

    public required IReadOnlyList<RdbAuxField> AuxFields { get; init; }

    /// <summary>The value of the last aux field named <paramref name="name"/>, or null.</summary>
    public string? GetAux(string name)
    {
        string? value = null;
        foreach (var field in AuxFields)
        {
            if (field.Name == name)
            {
                value = field.Value;
            }
        }
        return value;
    }

    /// <summary>repl-stream-db: the database the replication stream had selected where the file was cut; 0 when absent or not below <paramref name="databases"/>.</summary>
    public int ReplStreamDb(int databases) =>
        int.TryParse(GetAux("repl-stream-db"), out var db) && db >= 0 && db < databases ? db : 0;
}
