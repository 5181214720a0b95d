using OrleansReplica.Grains.Commands.Keys;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Commands.Strings;

/// <summary>The string commands that read and write whole values: GET, SET and its variants, MGET, MSET, GETEX, GETDEL.</summary>
public static class StringCommands
{
    public static void Register(CommandTable table)
    {
        table.Handle("get", Get);
        table.Handle("set", Set, constantTime: true);
        table.Handle("setnx", SetNx);
        table.Handle("setex", SetEx, constantTime: true);
        table.Handle("psetex", PSetEx, constantTime: true);
        table.Handle("getset", GetSet);
        table.Handle("getdel", GetDel);
        table.Handle("getex", GetEx);
        table.Handle("mget", MGet);
        table.Handle("mset", MSet);
        table.Handle("msetnx", MSetNx);
        CounterCommands.Register(table);
        StringRangeCommands.Register(table);
    }

    private static void Get(CommandContext c)
    {
        if (c.TryReadString(c.Args[1], out var value))
        {
            WriteValue(c, value);
        }
    }

    private static void Set(CommandContext c)
    {
        if (!SetOptions.TryParse(c, 3, getEx: false, out var options))
        {
            return;
        }
        long expiresAtMs = 0;
        if (options.ExpireIndex != 0 && !options.TryGetExpireAt(c, "set", out expiresAtMs))
        {
            return;
        }
        var key = c.Args[1];
        if (options.Has(SetFlags.Get))
        {
            // SET ... GET answers with the old value, even when NX/XX then stops the write.
            if (!c.TryReadString(key, out var old))
            {
                return;
            }
            WriteValue(c, old);
        }
        var existing = c.Keyspace.Find(key);
        if ((options.Has(SetFlags.Nx) && existing is not null) || (options.Has(SetFlags.Xx) && existing is null))
        {
            if (!options.Has(SetFlags.Get))
            {
                c.Reply.WriteNullBulk();
            }
            return;
        }
        Store(c, key, c.Args[2], existing, options.Has(SetFlags.KeepTtl) || options.ExpireIndex != 0);
        if (options.ExpireIndex != 0)
        {
            SetExpireOfWrittenKey(c, key, expiresAtMs);
            PropagatedForms.SetWithExpire(c, key, c.Args[2], expiresAtMs);
        }
        else if (options.Has(SetFlags.Get))
        {
            // Replicas have nobody to answer: the GET option is left out.
            PropagatedForms.WithoutOption(c, 3, "GET"u8);
        }
        if (!options.Has(SetFlags.Get))
        {
            c.Reply.WriteOk();
        }
    }

    private static void SetNx(CommandContext c)
    {
        var key = c.Args[1];
        if (c.Keyspace.Find(key) is not null)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        c.Keyspace.Set(key, RedisString.Create(c.Args[2]));
        c.Reply.WriteInteger(1);
    }

    private static void SetEx(CommandContext c) => SetWithExpire(c, seconds: true, "setex");

    private static void PSetEx(CommandContext c) => SetWithExpire(c, seconds: false, "psetex");

    private static void SetWithExpire(CommandContext c, bool seconds, string command)
    {
        if (!ExpireTime.TryResolve(c, 2, seconds, relative: true, command, out var expiresAtMs))
        {
            return;
        }
        var key = c.Args[1];
        Store(c, key, c.Args[3], c.Keyspace.Find(key), keepExpire: true);
        SetExpireOfWrittenKey(c, key, expiresAtMs);
        PropagatedForms.SetWithExpire(c, key, c.Args[3], expiresAtMs);
        c.Reply.WriteOk();
    }

    private static void GetSet(CommandContext c)
    {
        var key = c.Args[1];
        if (!c.TryReadString(key, out var old))
        {
            return;
        }
        WriteValue(c, old);
        Store(c, key, c.Args[2], old, keepExpire: false);
        PropagatedForms.Renamed(c, "SET"u8);
    }

    private static void GetDel(CommandContext c)
    {
        var key = c.Args[1];
        if (!c.TryReadString(key, out var value))
        {
            return;
        }
        WriteValue(c, value);
        if (value is not null)
        {
            c.Keyspace.Delete(key);
            PropagatedForms.Delete(c, key);
        }
    }

    private static void GetEx(CommandContext c)
    {
        if (!SetOptions.TryParse(c, 2, getEx: true, out var options))
        {
            return;
        }
        var key = c.Args[1];
        if (!c.TryReadString(key, out var value))
        {
            return;
        }
        if (value is null)
        {
            // A missing key answers nil before the expire value is even looked at.
            c.Reply.WriteNullBulk();
            return;
        }
        long expiresAtMs = 0;
        if (options.ExpireIndex != 0 && !options.TryGetExpireAt(c, "getex", out expiresAtMs))
        {
            return;
        }
        WriteValue(c, value);
        if (options.Has(SetFlags.ExAt | SetFlags.PxAt) && expiresAtMs <= c.Keyspace.NowMs && c.Keyspace.ExpiresKeys)
        {
            // An absolute time already passed deletes the key now (a replica waits for the master's DEL).
            c.Keyspace.Delete(key);
            PropagatedForms.Delete(c, key);
        }
        else if (options.ExpireIndex != 0)
        {
            c.Keyspace.SetExpire(key, expiresAtMs);
            PropagatedForms.PExpireAt(c, key, expiresAtMs, keepOptions: false);
        }
        else if (options.Has(SetFlags.Persist) && c.Keyspace.Persist(key))
        {
            PropagatedForms.Persist(c, key);
        }
    }

    private static void MGet(CommandContext c)
    {
        var args = c.Args;
        var reply = c.Reply;
        reply.WriteArrayHeader(args.Count - 1);
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        for (var i = 1; i < args.Count; i++)
        {
            if (c.Keyspace.Read(args[i]) is RedisString value)
            {
                reply.WriteBulkString(value.GetBytes(scratch));
            }
            else
            {
                reply.WriteNullBulk();
            }
        }
    }

    private static void MSet(CommandContext c)
    {
        if (!HasPairs(c))
        {
            return;
        }
        StorePairs(c);
        c.Reply.WriteOk();
    }

    private static void MSetNx(CommandContext c)
    {
        if (!HasPairs(c))
        {
            return;
        }
        var args = c.Args;
        for (var i = 1; i < args.Count; i += 2)
        {
            if (c.Keyspace.Find(args[i]) is not null)
            {
                c.Reply.WriteInteger(0);
                return;
            }
        }
        StorePairs(c);
        c.Reply.WriteInteger(1);
    }

    private static bool HasPairs(CommandContext c)
    {
        if (c.Args.Count % 2 == 1)
        {
            return true;
        }
        c.Error(CommandErrors.WrongArgumentCount(c.Command.Name));
        return false;
    }

    private static void StorePairs(CommandContext c)
    {
        var args = c.Args;
        for (var i = 1; i < args.Count; i += 2)
        {
            Store(c, args[i], args[i + 1], c.Keyspace.Find(args[i]), keepExpire: false);
        }
    }

    /// <summary>Writes a string value as a bulk reply, or nil for a missing key.</summary>
    internal static void WriteValue(CommandContext c, RedisString? value)
    {
        if (value is null)
        {
            c.Reply.WriteNullBulk();
            return;
        }
        Span<byte> scratch = stackalloc byte[RedisNumber.MaxInt64Length];
        c.Reply.WriteBulkString(value.GetBytes(scratch));
    }

    /// <summary>
    /// Stores <paramref name="text"/> as SET does (int, embstr or raw by content), reusing the existing
    /// string object and its buffer when there is one so that overwriting allocates nothing.
    /// </summary>
    private static void Store(CommandContext c, ReadOnlySpan<byte> key, ReadOnlySpan<byte> text, RedisValue? existing, bool keepExpire)
    {
        if (existing is RedisString reused)
        {
            reused.Assign(text);
            c.Keyspace.Overwritten(key, reused, keepExpire);
        }
        else
        {
            c.Keyspace.Set(key, RedisString.Create(text), keepExpire);
        }
    }

    /// <summary>Sets the expire of a key this command just wrote (already signalled as modified once).</summary>
    private static void SetExpireOfWrittenKey(CommandContext c, ReadOnlySpan<byte> key, long expiresAtMs) =>
        c.Keyspace.DatabaseOf(key).SetExpire(key, expiresAtMs);
}
