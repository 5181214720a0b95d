using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Grains.Commands.Keys;

/// <summary>
/// The generic key commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME, RENAMENX, COPY, MOVE, and
/// the ones over the whole keyspace: KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB.
/// </summary>
public static class KeyCommands
{
    private const string InvalidFirstDb = "ERR invalid first DB index";
    private const string InvalidSecondDb = "ERR invalid second DB index";

    public static void Register(CommandTable table)
    {
        var scanner = new KeyScanner();
        table.Handle("del", Delete);
        table.Handle("unlink", Delete);
        table.Handle("exists", Exists);
        table.Handle("touch", Touch);
        table.Handle("type", Type);
        table.Handle("rename", static c => Rename(c, onlyIfAbsent: false));
        table.Handle("renamenx", static c => Rename(c, onlyIfAbsent: true));
        table.Handle("copy", Copy);
        table.Handle("move", Move);
        table.Handle("keys", Keys, KeyScope.AllShards);
        table.Handle("scan", scanner.Scan, KeyScope.AllShards);
        table.Handle("randomkey", RandomKey, KeyScope.AllShards);
        table.Handle("dbsize", DbSize, KeyScope.AllShards);
        table.Handle("flushdb", c => Flush(c, scanner, allDatabases: false), KeyScope.AllShards);
        table.Handle("flushall", c => Flush(c, scanner, allDatabases: true), KeyScope.AllShards);
        table.Handle("swapdb", SwapDb, KeyScope.AllShards);
        ObjectCommand.Register(table);
    }

    /// <summary>DEL and UNLINK (values are freed by the runtime either way).</summary>
    private static void Delete(CommandContext c)
    {
        var deleted = 0L;
        for (var i = 1; i < c.Args.Count; i++)
        {
            if (c.Keyspace.Delete(c.Args[i]))
            {
                deleted++;
            }
        }
        c.Reply.WriteInteger(deleted);
    }

    private static void Exists(CommandContext c)
    {
        var found = 0L;
        for (var i = 1; i < c.Args.Count; i++)
        {
            if (KeyLookup.ReadWithoutTouch(c, c.Args[i]) is not null)
            {
                found++;
            }
        }
        c.Reply.WriteInteger(found);
    }

    private static void Touch(CommandContext c)
    {
        var found = 0L;
        for (var i = 1; i < c.Args.Count; i++)
        {
            if (c.Keyspace.Read(c.Args[i]) is not null)
            {
                found++;
            }
        }
        c.Reply.WriteInteger(found);
    }

    private static void Type(CommandContext c)
    {
        var value = KeyLookup.ReadWithoutTouch(c, c.Args[1]);
        c.Reply.WriteSimpleString(value is null ? "none" : value.TypeName);
    }

    private static void Rename(CommandContext c, bool onlyIfAbsent)
    {
        var source = c.Args[1];
        var destination = c.Args[2];
        var keyspace = c.Keyspace;
        var value = keyspace.Find(source);
        if (value is null)
        {
            c.Error(CommandErrors.NoSuchKey);
            return;
        }
        if (source.SequenceEqual(destination))
        {
            // Renaming a key onto itself changes nothing: RENAME says OK, RENAMENX says it did not rename.
            if (onlyIfAbsent)
            {
                c.Reply.WriteInteger(0);
            }
            else
            {
                c.Reply.WriteOk();
            }
            return;
        }
        // Looked up even when it will be replaced, so an expired destination is deleted (and propagated) first.
        if (keyspace.Find(destination) is not null && onlyIfAbsent)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        var dirty = keyspace.Dirty;
        var expiresAt = keyspace.GetExpire(source);
        keyspace.Delete(source);
        keyspace.Set(destination, value);
        if (expiresAt != -1)
        {
            keyspace.SetExpire(destination, expiresAt);
        }
        keyspace.Dirty = dirty + 1;
        if (onlyIfAbsent)
        {
            c.Reply.WriteInteger(1);
        }
        else
        {
            c.Reply.WriteOk();
        }
    }

    /// <summary>COPY source destination [DB index] [REPLACE].</summary>
    private static void Copy(CommandContext c)
    {
        var source = c.Args[1];
        var destination = c.Args[2];
        var keyspace = c.Keyspace;
        var targetDb = keyspace.Db;
        var replace = false;
        for (var i = 3; i < c.Args.Count; i++)
        {
            if (c.ArgIs(i, "REPLACE"))
            {
                replace = true;
            }
            else if (c.ArgIs(i, "DB") && i + 1 < c.Args.Count)
            {
                if (!KeyLookup.TryGetInt32(c, ++i, out targetDb))
                {
                    return;
                }
                if (targetDb < 0 || targetDb >= KeyLookup.DatabaseCount(c, source))
                {
                    c.Error(CommandErrors.DbIndexOutOfRange);
                    return;
                }
            }
            else
            {
                c.Error(CommandErrors.Syntax);
                return;
            }
        }
        if (targetDb == keyspace.Db && source.SequenceEqual(destination))
        {
            c.Error(KeyLookup.SameObject);
            return;
        }
        var value = keyspace.Read(source);
        if (value is null)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        var dirty = keyspace.Dirty;
        if (keyspace.Find(targetDb, destination) is not null)
        {
            if (!replace)
            {
                c.Reply.WriteInteger(0);
                return;
            }
            keyspace.Delete(targetDb, destination);
        }
        var expiresAt = keyspace.GetExpire(source);
        keyspace.Set(targetDb, destination, value.Clone());
        if (expiresAt != -1)
        {
            keyspace.SetExpire(targetDb, destination, expiresAt);
        }
        keyspace.Dirty = dirty + 1;
        c.Reply.WriteInteger(1);
    }

    private static void Move(CommandContext c)
    {
        var key = c.Args[1];
        var keyspace = c.Keyspace;
        if (!KeyLookup.TryGetInt32(c, 2, out var targetDb))
        {
            return;
        }
        if (targetDb < 0 || targetDb >= KeyLookup.DatabaseCount(c, key))
        {
            c.Error(CommandErrors.DbIndexOutOfRange);
            return;
        }
        if (targetDb == keyspace.Db)
        {
            c.Error(KeyLookup.SameObject);
            return;
        }
        var value = keyspace.Find(key);
        if (value is null || keyspace.Find(targetDb, key) is not null)
        {
            c.Reply.WriteInteger(0);
            return;
        }
        var dirty = keyspace.Dirty;
        var expiresAt = keyspace.GetExpire(key);
        keyspace.Delete(key);
        keyspace.Set(targetDb, key, value);
        if (expiresAt != -1)
        {
            keyspace.SetExpire(targetDb, key, expiresAt);
        }
        keyspace.Dirty = dirty + 1;
        c.Reply.WriteInteger(1);
    }

    /// <summary>KEYS pattern: logically expired keys are skipped but, as in Redis 7.0, not deleted.</summary>
    private static void Keys(CommandContext c)
    {
        var pattern = c.Args[1];
        var all = pattern.SequenceEqual("*"u8);
        var now = c.Keyspace.NowMs;
        var found = new List<byte[]>();
        foreach (var shard in c.Keyspace.HeldShards)
        {
            var database = shard.Databases[c.Keyspace.Db];
            foreach (var key in database.Entries.Keys)
            {
                if ((all || GlobPattern.IsMatch(pattern, key)) && !database.IsExpired(key, now))
                {
                    found.Add(key);
                }
            }
        }
        c.Reply.WriteArrayHeader(found.Count);
        foreach (var key in found)
        {
            c.Reply.WriteBulkString(key);
        }
    }

    /// <summary>DBSIZE counts keys not yet reclaimed, including logically expired ones, as Redis does.</summary>
    private static void DbSize(CommandContext c)
    {
        var count = 0L;
        foreach (var shard in c.Keyspace.HeldShards)
        {
            count += shard.Databases[c.Keyspace.Db].Count;
        }
        c.Reply.WriteInteger(count);
    }

    /// <summary>
    /// RANDOMKEY: the first live key from a random position on. A master deletes the expired keys
    /// it passes; a replica, finding only expired keys (all volatile), returns one of them as Redis does.
    /// </summary>
    private static void RandomKey(CommandContext c)
    {
        var keyspace = c.Keyspace;
        var total = 0L;
        foreach (var shard in keyspace.HeldShards)
        {
            total += shard.Databases[keyspace.Db].Count;
        }
        if (total == 0)
        {
            c.Reply.WriteNullBulk();
            return;
        }
        byte[]? found = null, firstExpired = null;
        List<byte[]>? expired = null;
        // One pass from the random position to the end, then from the start up to it.
        var start = Random.Shared.NextInt64(total);
        foreach (var (database, key) in KeysFrom(c, start))
        {
            if (!database.IsExpired(key, keyspace.NowMs))
            {
                found = key;
                break;
            }
            if (keyspace.ExpiresKeys)
            {
                (expired ??= []).Add(key);
            }
            else
            {
                firstExpired ??= key;
            }
        }
        // Deleted after the walk: the dictionaries cannot change while they are enumerated.
        foreach (var key in expired ?? [])
        {
            keyspace.Find(key);
        }
        found ??= firstExpired;
        if (found is null)
        {
            c.Reply.WriteNullBulk();
        }
        else
        {
            c.Reply.WriteBulkString(found);
        }
    }

    /// <summary>The held shards' keys of the selected database, from position <paramref name="start"/> on, wrapping around.</summary>
    private static IEnumerable<(Database Database, byte[] Key)> KeysFrom(CommandContext c, long start)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            // Pass 0 yields positions [start, end), pass 1 positions [0, start).
            var position = 0L;
            foreach (var shard in c.Keyspace.HeldShards)
            {
                var database = shard.Databases[c.Keyspace.Db];
                if (pass == 1 && position >= start)
                {
                    yield break;
                }
                if (pass == 1 || position + database.Count > start)
                {
                    foreach (var key in database.Entries.Keys)
                    {
                        if (pass == 0 ? position >= start : position < start)
                        {
                            yield return (database, key);
                        }
                        position++;
                    }
                }
                else
                {
                    position += database.Count;
                }
            }
        }
    }

    /// <summary>FLUSHDB / FLUSHALL [ASYNC|SYNC]: both free synchronously; watchers of existing keys are told.</summary>
    private static void Flush(CommandContext c, KeyScanner scanner, bool allDatabases)
    {
        var args = c.Args;
        if (args.Count > 2 || (args.Count == 2 && !c.ArgIs(1, "ASYNC") && !c.ArgIs(1, "SYNC")))
        {
            c.Error(CommandErrors.Syntax);
            return;
        }
        var removed = 0L;
        foreach (var shard in c.Keyspace.HeldShards)
        {
            var databases = shard.Databases;
            for (var db = 0; db < databases.Length; db++)
            {
                if (!allDatabases && db != c.Keyspace.Db)
                {
                    continue;
                }
                shard.TouchAll(db);
                removed += databases[db].Count;
                databases[db].Clear();
                scanner.Forget(databases[db]);
            }
        }
        c.Keyspace.Dirty += removed;
        c.ForcePropagation();
        c.Reply.WriteOk();
    }

    /// <summary>SWAPDB index1 index2: swaps each shard's parts of the two databases; watchers stay with the indexes.</summary>
    private static void SwapDb(CommandContext c)
    {
        if (!KeyLookup.TryGetInt32(c, 1, InvalidFirstDb, out var first) || !KeyLookup.TryGetInt32(c, 2, InvalidSecondDb, out var second))
        {
            return;
        }
        var shards = c.Keyspace.HeldShards;
        var databaseCount = 0;
        foreach (var shard in shards)
        {
            databaseCount = shard.Databases.Length;
            break;
        }
        if (first < 0 || first >= databaseCount || second < 0 || second >= databaseCount)
        {
            c.Error(CommandErrors.DbIndexOutOfRange);
            return;
        }
        if (first != second)
        {
            foreach (var shard in shards)
            {
                // A watched key changes when it exists on either side: touch before and after the swap.
                shard.TouchAll(first);
                shard.TouchAll(second);
                var databases = shard.Databases;
                (databases[first], databases[second]) = (databases[second], databases[first]);
                shard.TouchAll(first);
                shard.TouchAll(second);
            }
        }
        c.Keyspace.Dirty++;
        c.Reply.WriteOk();
    }
}
