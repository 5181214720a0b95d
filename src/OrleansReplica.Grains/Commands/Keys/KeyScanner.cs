using System.Runtime.CompilerServices;
using System.Text;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Grains.Commands.Keys;

/// <summary>
/// SCAN over every shard of the selected database. Keeps one hash-ordered view per database
/// part (taken again when a walk enters a part that gained keys), so each call costs a binary
/// search plus the keys it visits.
/// </summary>
public sealed class KeyScanner
{
    private const long DefaultCount = 10;

    // A walk visits at most this many removed keys per requested key before it returns, as Redis
    // bounds the empty buckets it visits, so a call never degenerates into a full traversal.
    private const long RemovedKeysPerCount = 10;

    private readonly ConditionalWeakTable<Database, KeyScanOrder> _orders = new();

    /// <summary>Drops the view of a database part that was emptied (FLUSHDB, FLUSHALL), releasing its keys.</summary>
    public void Forget(Database database) => _orders.Remove(database);

    /// <summary>SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].</summary>
    public void Scan(CommandContext c)
    {
        var args = c.Args;
        if (!ScanCursor.TryParse(args[1], out var cursorValue))
        {
            c.Error(ScanCursor.InvalidCursor);
            return;
        }
        var count = DefaultCount;
        var patternIndex = -1;
        var typeIndex = -1;
        for (var i = 2; i < args.Count; i += 2)
        {
            var hasValue = i + 1 < args.Count;
            if (hasValue && c.ArgIs(i, "COUNT"))
            {
                if (!c.TryGetInt64(i + 1, out count))
                {
                    return;
                }
                if (count < 1)
                {
                    c.Error(CommandErrors.Syntax);
                    return;
                }
            }
            else if (hasValue && c.ArgIs(i, "MATCH"))
            {
                patternIndex = i + 1;
            }
            else if (hasValue && c.ArgIs(i, "TYPE"))
            {
                typeIndex = i + 1;
            }
            else
            {
                c.Error(CommandErrors.Syntax);
                return;
            }
        }
        if (patternIndex >= 0 && args[patternIndex].SequenceEqual("*"u8))
        {
            patternIndex = -1;
        }

        var walk = new Walk(c, count, patternIndex, typeIndex);
        var cursor = ScanCursor.FromValue(cursorValue);
        var next = 0UL;
        foreach (var shard in c.Keyspace.HeldShards)
        {
            if (shard.Index < cursor.Shard)
            {
                continue;
            }
            var from = shard.Index == cursor.Shard ? cursor.HashFrom : 0;
            if (walk.Exhausted)
            {
                next = new ScanCursor(shard.Index, from).ToValue(c.Keyspace.Map.ShardCount);
                break;
            }
            if (!WalkShard(ref walk, shard, from, out var stoppedAt))
            {
                next = new ScanCursor(shard.Index, stoppedAt).ToValue(c.Keyspace.Map.ShardCount);
                break;
            }
        }

        var reply = c.Reply;
        reply.WriteArrayHeader(2);
        reply.WriteBulkString((long)next);
        reply.WriteArrayHeader(walk.Found.Count);
        foreach (var key in walk.Found)
        {
            reply.WriteBulkString(key);
        }
    }

    /// <summary>Walks one shard's part from <paramref name="from"/>; false when the budget ran out first.</summary>
    private bool WalkShard(ref Walk walk, ShardKeyspace shard, ulong from, out ulong stoppedAt)
    {
        stoppedAt = 0;
        var database = shard.Databases[walk.Context.Keyspace.Db];
        if (database.Count == 0)
        {
            Forget(database);
            return true;
        }
        var order = OrderOf(database, entering: from == 0);
        var start = order.LowerBound(from);
        for (var i = start; i < order.Count; i++)
        {
            var hash = order.HashAt(i);
            // Keys sharing a hash go out in the same call: the cursor can only resume at a hash boundary.
            if (walk.Exhausted && i > start && hash != order.HashAt(i - 1))
            {
                stoppedAt = hash;
                return false;
            }
            walk.Visit(database, order.KeyAt(i));
        }
        return true;
    }

    private KeyScanOrder OrderOf(Database database, bool entering)
    {
        // Only a walk entering the part needs the keys added since the view was taken (a key added
        // later was not present throughout that walk); rebuilding also drops many removed keys.
        if (!_orders.TryGetValue(database, out var order)
            || (entering && (order.KeysAdded != database.KeysAdded || order.Count > 2 * database.Count + 64)))
        {
            order = KeyScanOrder.Of(database);
            _orders.AddOrUpdate(database, order);
        }
        return order;
    }

    /// <summary>The state of one SCAN call: its filters, its budget and the keys it returns.</summary>
    private struct Walk(CommandContext context, long count, int patternIndex, int typeIndex)
    {
        private readonly long _removedBudget = count > long.MaxValue / RemovedKeysPerCount ? long.MaxValue : count * RemovedKeysPerCount;
        private long _visited;
        private long _removed;

        public readonly CommandContext Context => context;

        public List<byte[]> Found { get; } = [];

        public readonly bool Exhausted => _visited >= count || _removed >= _removedBudget;

        public void Visit(Database database, byte[] key)
        {
            if (database.Find(key) is null)
            {
                _removed++;
                return;
            }
            _visited++;
            if (patternIndex >= 0 && !GlobPattern.IsMatch(context.Args[patternIndex], key))
            {
                return;
            }
            if (typeIndex >= 0)
            {
                // Redis learns the type through a read: it counts a hit or miss, deletes the key if
                // expired (on a master), and an expired key's type is "none".
                var live = KeyLookup.ReadWithoutTouch(context, key);
                if (!Ascii.EqualsIgnoreCase(context.Args[typeIndex], live?.TypeName ?? "none"))
                {
                    return;
                }
            }
            var keyspace = context.Keyspace;
            if (database.IsExpired(key, keyspace.NowMs))
            {
                // A master deletes what it meets expired (as a read would); a replica only hides it.
                if (keyspace.ExpiresKeys)
                {
                    keyspace.Find(key);
                }
                return;
            }
            Found.Add(key);
        }
    }
}
