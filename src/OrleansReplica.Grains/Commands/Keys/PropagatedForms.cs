using OrleansReplica.Grains.Commands.Strings;

namespace OrleansReplica.Grains.Commands.Keys;

/// <summary>
/// The rewritten forms Redis 7.0 propagates instead of a command (to replicas and the AOF), recorded
/// for the running command when somebody consumes the stream; otherwise the command goes verbatim.
/// </summary>
internal static class PropagatedForms
{
    /// <summary>DEL key: GETDEL, an expire time already past.</summary>
    public static void Delete(CommandContext c, ReadOnlySpan<byte> key)
    {
        if (c.Keyspace.Propagation is { Active: true } propagation)
        {
            propagation.StartCommand(c.Keyspace.Db, 2, "DEL"u8);
            propagation.Argument(key);
            propagation.EndCommand();
        }
    }

    /// <summary>PERSIST key: GETEX PERSIST that removed an expire.</summary>
    public static void Persist(CommandContext c, ReadOnlySpan<byte> key)
    {
        if (c.Keyspace.Propagation is { Active: true } propagation)
        {
            propagation.StartCommand(c.Keyspace.Db, 2, "PERSIST"u8);
            propagation.Argument(key);
            propagation.EndCommand();
        }
    }

    /// <summary>SET key value PXAT ms: SET with any expire option, SETEX, PSETEX.</summary>
    public static void SetWithExpire(CommandContext c, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAtMs)
    {
        if (c.Keyspace.Propagation is { Active: true } propagation)
        {
            propagation.StartCommand(c.Keyspace.Db, 5, "SET"u8);
            propagation.Argument(key);
            propagation.Argument(value);
            propagation.Argument("PXAT"u8);
            propagation.Argument(expiresAtMs);
            propagation.EndCommand();
        }
    }

    /// <summary>SET key value KEEPTTL: INCRBYFLOAT, so that replicas store the same text whatever their float formatting.</summary>
    public static void SetKeepingExpire(CommandContext c, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (c.Keyspace.Propagation is { Active: true } propagation)
        {
            propagation.StartCommand(c.Keyspace.Db, 4, "SET"u8);
            propagation.Argument(key);
            propagation.Argument(value);
            propagation.Argument("KEEPTTL"u8);
            propagation.EndCommand();
        }
    }

    /// <summary>The running command with its name replaced (GETSET → SET) and every argument kept.</summary>
    public static void Renamed(CommandContext c, ReadOnlySpan<byte> name)
    {
        if (c.Keyspace.Propagation is { Active: true } propagation)
        {
            var args = c.Args;
            propagation.StartCommand(c.Keyspace.Db, args.Count, name);
            for (var i = 1; i < args.Count; i++)
            {
                propagation.Argument(args[i]);
            }
            propagation.EndCommand();
        }
    }

    /// <summary>The running command without the arguments from <paramref name="first"/> on that are the option <paramref name="upperWord"/> (SET ... GET).</summary>
    public static void WithoutOption(CommandContext c, int first, ReadOnlySpan<byte> upperWord)
    {
        if (c.Keyspace.Propagation is not { Active: true } propagation)
        {
            return;
        }
        var args = c.Args;
        var kept = args.Count;
        for (var i = first; i < args.Count; i++)
        {
            if (OptionWord.Is(args[i], upperWord))
            {
                kept--;
            }
        }
        propagation.StartCommand(c.Keyspace.Db, kept, args[0]);
        for (var i = 1; i < args.Count; i++)
        {
            if (i < first || !OptionWord.Is(args[i], upperWord))
            {
                propagation.Argument(args[i]);
            }
        }
        propagation.EndCommand();
    }

    /// <summary>
    /// PEXPIREAT key ms [options]: an expire made absolute milliseconds. EXPIRE, PEXPIRE and EXPIREAT keep
    /// their options (from argument 3 on); GETEX has none to keep (<paramref name="keepOptions"/> false).
    /// </summary>
    public static void PExpireAt(CommandContext c, ReadOnlySpan<byte> key, long expiresAtMs, bool keepOptions)
    {
        if (c.Keyspace.Propagation is not { Active: true } propagation)
        {
            return;
        }
        var args = c.Args;
        var end = keepOptions ? args.Count : 3;
        propagation.StartCommand(c.Keyspace.Db, end, "PEXPIREAT"u8);
        propagation.Argument(key);
        propagation.Argument(expiresAtMs);
        for (var i = 3; i < end; i++)
        {
            propagation.Argument(args[i]);
        }
        propagation.EndCommand();
    }
}
