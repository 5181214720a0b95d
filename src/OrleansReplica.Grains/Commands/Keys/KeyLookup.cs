using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Commands.Keys;

/// <summary>Lookups and argument parsing shared by the generic key commands.</summary>
internal static class KeyLookup
{
    public const string SameObject = "ERR source and destination objects are the same";
    public const string IntRange = "ERR value is out of range, value must between -2147483648 and 2147483647";

    /// <summary>
    /// A read that counts a hit or miss and applies lazy expiry but leaves the access time alone,
    /// as Redis's EXISTS, TYPE, TTL and OBJECT do, so they do not disturb OBJECT IDLETIME.
    /// </summary>
    public static RedisValue? ReadWithoutTouch(CommandContext c, ReadOnlySpan<byte> key)
    {
        var lastAccess = c.Keyspace.DatabaseOf(key).Find(key)?.LastAccessMs ?? 0;
        var value = c.Keyspace.Read(key);
        if (value is not null)
        {
            value.LastAccessMs = lastAccess;
        }
        return value;
    }

    /// <summary>Parses a database index that must fit in 32 bits, with Redis's two errors; the range check is the caller's.</summary>
    public static bool TryGetInt32(CommandContext c, int index, out int value)
    {
        value = 0;
        if (!c.TryGetInt64(index, out var parsed))
        {
            return false;
        }
        if (parsed is < int.MinValue or > int.MaxValue)
        {
            c.Error(IntRange);
            return false;
        }
        value = (int)parsed;
        return true;
    }

    /// <summary>Parses a 32-bit integer, replying <paramref name="error"/> for anything else.</summary>
    public static bool TryGetInt32(CommandContext c, int index, string error, out int value)
    {
        if (RedisNumber.TryParseInt64(c.Args[index], out var parsed) && parsed is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)parsed;
            return true;
        }
        value = 0;
        c.Error(error);
        return false;
    }

    /// <summary>Number of databases, as seen through any shard the command holds.</summary>
    public static int DatabaseCount(CommandContext c, ReadOnlySpan<byte> key) => c.Keyspace.ShardOf(key).Databases.Length;
}
