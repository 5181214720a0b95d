namespace OrleansReplica.Protocol.Aof;

/// <summary>A manifest that Redis 7.0 refuses to load; names the manifest, the line and Redis's reason.</summary>
public sealed class AofManifestException : Exception
{
    public AofManifestException(string reason, string manifest, int lineNumber, string? lineText)
        : base(Describe(reason, manifest, lineNumber, lineText))
    {
        Reason = reason;
        Manifest = manifest;
        LineNumber = lineNumber;
        LineText = lineText;
    }

    /// <summary>Redis's own wording, e.g. "Found a non-monotonic sequence number".</summary>
    public string Reason { get; }

    /// <summary>The manifest file as it was named to the parser.</summary>
    public string Manifest { get; }

    /// <summary>1-based line of the manifest (comment lines count); 0 when the problem is the whole file.</summary>
    public int LineNumber { get; }

    /// <summary>The offending line, trimmed, as Redis echoes it after "&gt;&gt;&gt; "; null where Redis shows none.</summary>
    public string? LineText { get; }

    private static string Describe(string reason, string manifest, int lineNumber, string? lineText) =>
        lineNumber == 0 ? $"{reason} (AOF manifest {manifest})"
        : lineText is null ? $"{reason} (AOF manifest {manifest}, line {lineNumber})"
        : $"{reason} (AOF manifest {manifest}, line {lineNumber}: '{lineText}')";
}
