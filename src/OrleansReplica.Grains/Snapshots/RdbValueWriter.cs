using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Grains.Snapshots;

/// <summary>Writes a keyspace value in the RDB encoding Redis 7.0 would choose for it.</summary>
public static class RdbValueWriter
{
    public static void Write(RdbWriter writer, ReadOnlySpan<byte> key, RedisValue value, Span<byte> scratch)
    {
        switch (value)
        {
            case RedisString { IsInteger: true } integer:
                writer.WriteString(key, integer.Integer);
                break;
            case RedisString text:
                writer.WriteString(key, text.GetBytes(scratch));
                break;
            default:
                throw new NotSupportedException($"No RDB encoding for values of type {value.TypeName}.");
        }
    }
}
