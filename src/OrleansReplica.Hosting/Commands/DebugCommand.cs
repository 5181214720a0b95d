using System.Globalization;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Hosting.Commands;

/// <summary>DEBUG SLEEP, SET-ACTIVE-EXPIRE, OBJECT, DIGEST, DIGEST-VALUE and HELP; runs holding every shard, as Redis blocks.</summary>
public static class DebugCommand
{
    public static void Register(CommandTable table) => table.Handle("debug", DebugAsync, KeyScope.AllShards);

    private static async ValueTask DebugAsync(CommandContext c)
    {
        if (c.ArgIs(1, "SLEEP") && c.Args.Count == 3)
        {
            // Redis reads the time with strtod and no check: text that is not a number sleeps 0 s.
            if (!RedisNumber.TryParseDouble(c.Args[2], out var seconds))
            {
                seconds = 0;
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, seconds)));
            c.Reply.WriteOk();
        }
        else if (c.ArgIs(1, "SET-ACTIVE-EXPIRE") && c.Args.Count == 3)
        {
            c.Client().Silo.KeyspaceOptions.ActiveExpireEnabled = RedisNumber.TryParseInt64(c.Args[2], out var on) && on != 0;
            c.Reply.WriteOk();
        }
        else if (c.ArgIs(1, "OBJECT") && c.Args.Count == 3)
        {
            DescribeObject(c);
        }
        else if (c.ArgIs(1, "DIGEST") && c.Args.Count == 2)
        {
            c.Reply.WriteSimpleString(DatasetDigest(c.Keyspace));
        }
        else if (c.ArgIs(1, "DIGEST-VALUE") && c.Args.Count >= 2)
        {
            c.Reply.WriteArrayHeader(c.Args.Count - 2);
            for (var i = 2; i < c.Args.Count; i++)
            {
                var value = c.Keyspace.Find(c.Args[i]);
                var hasExpire = value is not null && c.Keyspace.GetExpire(c.Args[i]) != -1;
                c.Reply.WriteSimpleString(value is null ? new string('0', 40) : ValueDigest(value, hasExpire));
            }
        }
        else if (c.ArgIs(1, "RELOAD"))
        {
            await ReloadAsync(c);
        }
        else if (c.ArgIs(1, "HELP") && c.Args.Count == 2)
        {
            Help(c);
        }
        else
        {
            c.Error($"ERR unknown subcommand or wrong number of arguments for '{CommandErrors.Truncate(c.ArgText(1))}'. Try DEBUG HELP.");
        }
    }

    /// <summary>DEBUG RELOAD [NOSAVE]: saves the dataset (unless NOSAVE) and loads it back, every shard held meanwhile.</summary>
    private static async Task ReloadAsync(CommandContext c)
    {
        var save = true;
        for (var i = 2; i < c.Args.Count; i++)
        {
            if (!c.ArgIs(i, "NOSAVE"))
            {
                c.Error(CommandErrors.Syntax);
                return;
            }
            save = false;
        }
        var rdb = c.Client().Silo.Rdb;
        var held = c.Keyspace.HeldShards.ToArray();
        if (save && !await rdb.SaveHeldAsync(held))
        {
            c.Error("ERR Error trying to save the DB");
            return;
        }
        try
        {
            rdb.LoadHeld(held);
        }
        catch (Exception error) when (error is RdbFormatException or IOException)
        {
            c.Client().Silo.Log.Warning($"Error trying to load the RDB dump: {error.Message}");
            c.Error("ERR Error trying to load the RDB dump, check server logs.");
            return;
        }
        c.Client().Silo.Log.Notice("DB reloaded by DEBUG RELOAD");
        c.Reply.WriteOk();
    }

    /// <summary>The DEBUG DIGEST of the whole dataset: equal on any silo or Redis holding the same data.</summary>
    public static string DatasetDigest(KeyspaceAccess keyspace)
    {
        var shards = keyspace.HeldShards.ToArray();
        var builder = new DigestBuilder();
        var databases = shards.Length == 0 ? 0 : shards[0].Databases.Length;
        Span<byte> scratch = stackalloc byte[24];
        for (var db = 0; db < databases; db++)
        {
            if (shards.All(shard => shard.Databases[db].Count == 0))
            {
                continue;
            }
            builder.BeginDatabase(db);
            foreach (var shard in shards)
            {
                var database = shard.Databases[db];
                foreach (var (key, value) in database.Entries)
                {
                    if (value is RedisString text)
                    {
                        builder.AddStringKey(key, text.GetBytes(scratch), database.GetExpire(key) != -1);
                    }
                }
            }
        }
        return builder.ToHex();
    }

    private static string ValueDigest(RedisValue value, bool hasExpire)
    {
        Span<byte> scratch = stackalloc byte[24];
        return value is RedisString text ? DigestBuilder.ValueDigestOfString(text.GetBytes(scratch), hasExpire) : new string('0', 40);
    }

    private static void DescribeObject(CommandContext c)
    {
        var value = c.Keyspace.Find(c.Args[2]);
        if (value is null)
        {
            c.Error(CommandErrors.NoSuchKey);
            return;
        }
        var idle = Math.Max(0, (c.Keyspace.NowMs - value.LastAccessMs) / 1000);
        var length = value is RedisString text ? text.Length : 0;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"Value at:0x{value.GetHashCode():x12} refcount:1 encoding:{value.EncodingName} serializedlength:{length + 1} lru:{(c.Keyspace.NowMs / 1000) & 0xFFFFFF} lru_seconds_idle:{idle}");
        c.Reply.WriteSimpleString(line);
    }

    private static void Help(CommandContext c)
    {
        string[] lines =
        [
            "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "OBJECT <key>",
            "    Show low level info about the `key` and associated value.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not accessed (otherwise the Redis behavior). Setting it to 1 reenables back the default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "HELP",
            "    Print this help.",
        ];
        c.Reply.WriteArrayHeader(lines.Length);
        foreach (var line in lines)
        {
            c.Reply.WriteSimpleString(line);
        }
    }
}
