namespace OrleansReplica.Protocol.Resp;

/// <summary>Random access to the buffered bytes of a request, contiguous or segmented, with offsets from the start of the request.</summary>
internal interface IRequestBytes
{
    long Length { get; }

    byte ByteAt(long offset);

    /// <summary>Offset of the first <paramref name="terminator"/> at or after <paramref name="from"/>; -1 when the bytes end or a NUL byte comes first (Redis scans the query buffer as a C string).</summary>
    long FindTerminator(long from, byte terminator);

    /// <summary>Parses [start, end) with Redis's strict integer rules.</summary>
    bool TryParseInteger(long start, long end, out long value);
}
