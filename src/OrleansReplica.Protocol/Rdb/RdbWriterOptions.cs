namespace OrleansReplica.Protocol.Rdb;

/// <summary>How <see cref="RdbWriter"/> writes: LZF compression of long strings (rdbcompression) and the trailing CRC-64 (rdbchecksum).</summary>
public sealed class RdbWriterOptions
{
    public bool Compression { get; init; } = true;

    public bool Checksum { get; init; } = true;
}
