using System.Buffers;
using System.Runtime.CompilerServices;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Grains.Snapshots;

/// <summary>How a snapshot is written: as an RDB file, or as commands (an AOF base without RDB preamble).</summary>
public abstract class SnapshotFormat
{
    public static SnapshotFormat Rdb(RdbWriterOptions options) => new RdbFormat(options);

    public static SnapshotFormat Commands { get; } = new CommandFormat();

    /// <summary>The RDB options, or null for commands.</summary>
    public abstract RdbWriterOptions? RdbOptions { get; }

    public abstract ISnapshotEncoder CreateEncoder(IBufferWriter<byte> output);

    private sealed class RdbFormat(RdbWriterOptions options) : SnapshotFormat
    {
        // The snapshot checksums the stream its shards' pieces are interleaved into; a piece's own CRC would go unused.
        private readonly RdbWriterOptions _pieces = new() { Compression = options.Compression, Checksum = false };

        public override RdbWriterOptions RdbOptions => options;

        public override ISnapshotEncoder CreateEncoder(IBufferWriter<byte> output) => new RdbEncoder(new RdbWriter(output, _pieces));
    }

    private sealed class CommandFormat : SnapshotFormat
    {
        public override RdbWriterOptions? RdbOptions => null;

        public override ISnapshotEncoder CreateEncoder(IBufferWriter<byte> output) => new CommandEncoder(output);
    }

    /// <summary>Keys in the RDB encoding Redis 7.0 would choose for each value.</summary>
    private sealed class RdbEncoder(RdbWriter writer) : ISnapshotEncoder
    {
        public void SelectDb(int db) => writer.WriteSelectDb(db);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void WriteString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs)
        {
            if (expireAtMs >= 0)
            {
                writer.WriteExpireMs(expireAtMs);
            }
            writer.WriteString(key, value);
        }

        public void WriteInteger(ReadOnlySpan<byte> key, long value, long expireAtMs)
        {
            if (expireAtMs >= 0)
            {
                writer.WriteExpireMs(expireAtMs);
            }
            writer.WriteString(key, value);
        }
    }

    /// <summary>Keys as the commands an AOF rewrite writes: SELECT, SET, PEXPIREAT.</summary>
    private sealed class CommandEncoder(IBufferWriter<byte> output) : ISnapshotEncoder
    {
        private readonly byte[] _scratch = new byte[RedisNumberText];

        public void SelectDb(int db)
        {
            RespCommandWriter.WriteArrayHeader(output, 2);
            RespCommandWriter.WriteBulk(output, "SELECT"u8);
            RespCommandWriter.WriteBulk(output, db);
        }

        public void WriteInteger(ReadOnlySpan<byte> key, long value, long expireAtMs)
        {
            var text = _scratch.AsSpan(0, OrleansReplica.Protocol.Text.RedisNumber.FormatInt64(value, _scratch));
            WriteString(key, text, expireAtMs);
        }

        public void WriteString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs)
        {
            RespCommandWriter.WriteArrayHeader(output, 3);
            RespCommandWriter.WriteBulk(output, "SET"u8);
            RespCommandWriter.WriteBulk(output, key);
            RespCommandWriter.WriteBulk(output, value);
            if (expireAtMs >= 0)
            {
                RespCommandWriter.WriteArrayHeader(output, 3);
                RespCommandWriter.WriteBulk(output, "PEXPIREAT"u8);
                RespCommandWriter.WriteBulk(output, key);
                RespCommandWriter.WriteBulk(output, expireAtMs);
            }
        }
    }

    private const int RedisNumberText = 24;
}

/// <summary>Writes the keys of a snapshot in one format.</summary>
public interface ISnapshotEncoder
{
    void SelectDb(int db);

    void WriteString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs);

    void WriteInteger(ReadOnlySpan<byte> key, long value, long expireAtMs);
}
