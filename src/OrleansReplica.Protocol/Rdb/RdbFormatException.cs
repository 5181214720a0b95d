namespace OrleansReplica.Protocol.Rdb;

/// <summary>An RDB input that is malformed or truncated, with the byte offset where the problem was found.</summary>
public sealed class RdbFormatException : Exception
{
    public RdbFormatException(string reason, string source, long offset)
        : base($"{reason} in {source} at byte offset {offset}")
    {
        Reason = reason;
        Source = source;
        base.Source = source;
        Offset = offset;
    }

    /// <summary>What is wrong, e.g. "unexpected end of file".</summary>
    public string Reason { get; }

    /// <summary>The file name (or "replication stream") the bytes came from.</summary>
    public new string Source { get; }

    /// <summary>Byte offset from the start of the RDB of the offending byte or object.</summary>
    public long Offset { get; }

    /// <summary>What the reader was doing: "start", "read-type", "read-key", "read-object-value", "check-sum", ...</summary>
    public string? Phase { get; init; }

    /// <summary>The key being read when the problem was found, if any (printable form).</summary>
    public string? Key { get; init; }

    /// <summary>The value type byte being read when the problem was found, or -1.</summary>
    public int ObjectType { get; init; } = -1;
}
