namespace OrleansReplica.Protocol.Aof;

/// <summary>How a scan of AOF commands ended.</summary>
public enum AofScanStatus
{
    /// <summary>Every byte belongs to a complete command or annotation.</summary>
    Valid,

    /// <summary>The data ends inside a command or inside MULTI ... EXEC (a crash while appending).</summary>
    Truncated,

    /// <summary>Bytes that are not an AOF command: a bad prefix, length or terminator, a stray byte, a nested MULTI, an EXEC without MULTI.</summary>
    FormatError,

    /// <summary>A "#TS:" annotation later than the requested timestamp: <see cref="AofScanResult.ValidLength"/> is where it starts.</summary>
    TimestampReached,

    /// <summary>A "#TS:" annotation whose number does not parse (only checked when truncating to a timestamp).</summary>
    InvalidTimestamp,
}

/// <summary>The outcome of <see cref="AofCommandScanner.Scan"/>, with the numbers redis-check-aof reports.</summary>
/// <param name="Status">How the scan ended.</param>
/// <param name="ValidLength">Offset up to which the content is valid and complete ("ok_up_to"): the end on success; the start of the first bad or incomplete command (of its MULTI when inside a transaction) otherwise.</param>
/// <param name="Line">The running line count where the scan stopped ("ok_up_to_line"): starts at the scanner's first line, counts each CRLF-terminated header and argument, not annotations.</param>
/// <param name="Commands">Complete commands before <see cref="ValidLength"/>.</param>
/// <param name="Error">redis-check-aof's detail for the problem (e.g. "Expected \r\n, got: 780d"); null when it prints none (data ended at a line start, or a command starts with neither '*' nor '#').</param>
/// <param name="ErrorOffset">Where the read that failed started (printed as "0x%16x: " before <see cref="Error"/>).</param>
/// <param name="Timestamp">The annotation's timestamp for <see cref="AofScanStatus.TimestampReached"/>; 0 otherwise.</param>
public readonly record struct AofScanResult(
    AofScanStatus Status,
    long ValidLength,
    long Line,
    long Commands,
    string? Error,
    long ErrorOffset,
    long Timestamp)
{
    public bool IsValid => Status == AofScanStatus.Valid;
}
