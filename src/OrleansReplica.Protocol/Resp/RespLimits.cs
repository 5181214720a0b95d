namespace OrleansReplica.Protocol.Resp;

/// <summary>Size limits applied while reading client requests (Redis's proto-max-bulk-len and client-query-buffer-limit).</summary>
/// <param name="ProtoMaxBulkLen">Largest accepted bulk argument, in bytes.</param>
/// <param name="QueryBufferLimit">Largest amount of unprocessed input a connection may buffer before it is closed.</param>
public readonly record struct RespLimits(long ProtoMaxBulkLen = 512L * 1024 * 1024, long QueryBufferLimit = 1024L * 1024 * 1024)
{
    /// <summary>Redis 7.0 defaults (so that <c>new RespLimits()</c> is not all zeros).</summary>
    public RespLimits() : this(512L * 1024 * 1024, 1024L * 1024 * 1024)
    {
    }

    /// <summary>Redis 7.0 defaults.</summary>
    public static RespLimits Default => new();
}
