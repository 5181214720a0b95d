using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Grains.Commands.Keys;

/// <summary>OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP: what Redis reports about a stored value.</summary>
public static class ObjectCommand
{
    private const string FrequencyNotTracked =
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    private const string IdleTimeNotTracked =
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    // Redis shares one object for each integer below 10000 and reports its refcount as INT_MAX.
    private const long SharedIntegerLimit = 10000;
    private const long SharedRefCount = int.MaxValue;

    private static readonly string[] HelpLines =
    [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable table)
    {
        table.Handle("object|encoding", Encoding);
        table.Handle("object|refcount", RefCount);
        table.Handle("object|idletime", IdleTime);
        table.Handle("object|freq", Frequency);
        table.Handle("object|help", Help);
    }

    private static void Encoding(CommandContext c)
    {
        if (Lookup(c) is { } value)
        {
            c.Reply.WriteBulkString(value.EncodingName);
        }
    }

    private static void RefCount(CommandContext c)
    {
        if (Lookup(c) is { } value)
        {
            var shared = value is RedisString { IsInteger: true, Integer: >= 0 and < SharedIntegerLimit };
            c.Reply.WriteInteger(shared ? SharedRefCount : 1);
        }
    }

    private static void IdleTime(CommandContext c)
    {
        if (Lookup(c) is not { } value)
        {
            return;
        }
        if (c.Keyspace.LfuPolicy)
        {
            c.Error(IdleTimeNotTracked);
            return;
        }
        c.Reply.WriteInteger(Math.Max(0, c.Keyspace.NowMs - value.LastAccessMs) / 1000);
    }

    private static void Frequency(CommandContext c)
    {
        if (Lookup(c) is not { } value)
        {
            return;
        }
        if (!c.Keyspace.LfuPolicy)
        {
            c.Error(FrequencyNotTracked);
            return;
        }
        c.Reply.WriteInteger(value.AccessFrequency);
    }

    private static void Help(CommandContext c)
    {
        c.Reply.WriteArrayHeader(HelpLines.Length);
        foreach (var line in HelpLines)
        {
            c.Reply.WriteSimpleString(line);
        }
    }

    /// <summary>The value at the key, or null after replying nil for a missing key.</summary>
    private static RedisValue? Lookup(CommandContext c)
    {
        var value = KeyLookup.ReadWithoutTouch(c, c.Args[2]);
        if (value is null)
        {
            c.Reply.WriteNullBulk();
        }
        return value;
    }
}
