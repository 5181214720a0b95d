using OrleansReplica.Grains.Commands.Keys;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Commands.Strings;

/// <summary>The counter commands on string values: INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT. All keep the key's TTL.</summary>
internal static class CounterCommands
{
    private const string DecrementOverflow = "ERR decrement would overflow";

    public static void Register(CommandTable table)
    {
        table.Handle("incr", static c => Add(c, 1));
        table.Handle("decr", static c => Add(c, -1));
        table.Handle("incrby", IncrBy);
        table.Handle("decrby", DecrBy);
        table.Handle("incrbyfloat", IncrByFloat);
    }

    private static void IncrBy(CommandContext c)
    {
        if (c.TryGetInt64(2, out var increment))
        {
            Add(c, increment);
        }
    }

    private static void DecrBy(CommandContext c)
    {
        if (!c.TryGetInt64(2, out var decrement))
        {
            return;
        }
        // Negating the smallest integer is impossible; Redis rejects it before looking at the key.
        if (decrement == long.MinValue)
        {
            c.Error(DecrementOverflow);
            return;
        }
        Add(c, -decrement);
    }

    private static void Add(CommandContext c, long increment)
    {
        var key = c.Args[1];
        if (!c.TryFindString(key, out var value))
        {
            return;
        }
        long current = 0;
        if (value is not null && !TryGetInteger(value, out current))
        {
            c.Error(CommandErrors.NotInteger);
            return;
        }
        if ((increment < 0 && current < 0 && increment < long.MinValue - current) ||
            (increment > 0 && current > 0 && increment > long.MaxValue - current))
        {
            c.Error(CommandErrors.Overflow);
            return;
        }
        var result = current + increment;
        if (value is null)
        {
            c.Keyspace.Set(key, RedisString.FromInteger(result));
        }
        else
        {
            value.SetInteger(result);
            c.Keyspace.Modified(key);
        }
        c.Reply.WriteInteger(result);
    }

    private static void IncrByFloat(CommandContext c)
    {
        var key = c.Args[1];
        if (!c.TryFindString(key, out var value))
        {
            return;
        }
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        var current = value is null ? "0"u8 : value.GetBytes(scratch);
        Span<byte> result = stackalloc byte[RedisNumber.MaxLongDoubleChars];
        if (!RedisNumber.TryIncrByFloat(current, c.Args[2], result, out var written, out var error))
        {
            c.Error(error!);
            return;
        }
        result = result[..written];
        // The result is stored as text (embstr or raw by length), never int-encoded, and keeps the TTL.
        c.Keyspace.Set(key, RedisString.CreateRaw(result), keepExpire: true);
        PropagatedForms.SetKeepingExpire(c, key, result);
        c.Reply.WriteBulkString(result);
    }

    /// <summary>The value as a 64-bit integer when its text is a canonical one (as INCR reads it).</summary>
    private static bool TryGetInteger(RedisString value, out long integer)
    {
        if (value.IsInteger)
        {
            integer = value.Integer;
            return true;
        }
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        return RedisNumber.TryParseInt64(value.GetBytes(scratch), out integer);
    }
}
