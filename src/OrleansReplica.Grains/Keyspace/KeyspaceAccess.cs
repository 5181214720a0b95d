using OrleansReplica.Grains.Replication;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>
/// What one command sees of the keyspace: the shards whose turns it holds, the selected database,
/// and the command's clock. Applies lazy expiry and tells watchers about writes.
/// </summary>
public sealed class KeyspaceAccess
{
    private readonly ShardKeyspace?[] _held;

    // The shard of a single-shard command: every key it touches lives there, so no hashing.
    private ShardKeyspace? _only;
    private int _heldCount;

    public KeyspaceAccess(ShardMap map, PropagationBuffer? propagation = null)
    {
        Map = map;
        Propagation = propagation;
        _held = new ShardKeyspace?[map.ShardCount];
    }

    /// <summary>Where this connection's writes are recorded in their propagated form (null: never propagated, e.g. loading).</summary>
    public PropagationBuffer? Propagation { get; }

    public ShardMap Map { get; }

    /// <summary>The selected database index.</summary>
    public int Db { get; set; }

    /// <summary>Unix ms the command runs at; one value per command (per EXEC for a transaction).</summary>
    public long NowMs { get; set; }

    /// <summary>False on a replica: it never deletes expired keys itself, it only hides them.</summary>
    public bool ExpiresKeys { get; set; } = true;

    /// <summary>
    /// True for a replica's link to its master: keys that expired by this silo's clock are still live to
    /// the master's commands, since only the master decides when a key expires (it sends DEL).
    /// </summary>
    public bool SeesExpiredKeys { get; set; }

    /// <summary>True while maxmemory-policy is an LFU policy: OBJECT FREQ answers and OBJECT IDLETIME refuses.</summary>
    public bool LfuPolicy { get; set; }

    /// <summary>Number of writes made, for rdb_changes_since_last_save.</summary>
    public long Dirty { get; set; }

    public void Hold(ShardKeyspace shard)
    {
        if (_held[shard.Index] is null)
        {
            _heldCount++;
        }
        _held[shard.Index] = shard;
        _only = _heldCount == 1 ? shard : null;
    }

    public void Release(ShardKeyspace shard)
    {
        if (_held[shard.Index] is not null)
        {
            _heldCount--;
        }
        _held[shard.Index] = null;
        _only = null;
    }

    public void ReleaseAll()
    {
        Array.Clear(_held);
        _heldCount = 0;
        _only = null;
    }

    /// <summary>The held shards in index order (all of them for an all-keys command).</summary>
    public IEnumerable<ShardKeyspace> HeldShards
    {
        get
        {
            foreach (var shard in _held)
            {
                if (shard is not null)
                {
                    yield return shard;
                }
            }
        }
    }

    public ShardKeyspace ShardOf(ReadOnlySpan<byte> key) =>
        _only ?? _held[Map.ShardOf(key)] ?? throw new InvalidOperationException("The command does not hold the turn of this key's shard.");

    public Database DatabaseOf(ReadOnlySpan<byte> key) => ShardOf(key).Databases[Db];

    /// <summary>A read: the live value or null, counting hits and misses.</summary>
    public RedisValue? Read(ReadOnlySpan<byte> key)
    {
        var shard = ShardOf(key);
        var value = Lookup(shard, Db, key);
        if (value is null)
        {
            shard.Stats.KeyspaceMisses++;
            return null;
        }
        shard.Stats.KeyspaceHits++;
        value.LastAccessMs = NowMs;
        return value;
    }

    /// <summary>A lookup for a write or a key-only check: the live value or null, no hit counting.</summary>
    public RedisValue? Find(ReadOnlySpan<byte> key) => Find(Db, key);

    public RedisValue? Find(int db, ReadOnlySpan<byte> key)
    {
        var value = Lookup(ShardOf(key), db, key);
        if (value is not null)
        {
            value.LastAccessMs = NowMs;
        }
        return value;
    }

    /// <summary>Stores a value and signals the write; the expire is kept only when asked (SET KEEPTTL).</summary>
    public void Set(ReadOnlySpan<byte> key, RedisValue value, bool keepExpire = false) => Set(Db, key, value, keepExpire);

    public void Set(int db, ReadOnlySpan<byte> key, RedisValue value, bool keepExpire = false)
    {
        value.LastAccessMs = NowMs;
        var shard = ShardOf(key);
        shard.Databases[db].Set(key, value, keepExpire);
        Modified(shard, db, key);
    }

    /// <summary>
    /// Records that the live value stored under <paramref name="key"/> was rewritten in place (the
    /// dictionary already holds it): drops the expire unless kept, and signals the write.
    /// </summary>
    public void Overwritten(ReadOnlySpan<byte> key, RedisValue value, bool keepExpire)
    {
        value.LastAccessMs = NowMs;
        var shard = ShardOf(key);
        if (!keepExpire)
        {
            shard.Databases[Db].RemoveExpire(key);
        }
        Modified(shard, Db, key);
    }

    /// <summary>Deletes a live key; an expired one counts as absent.</summary>
    public bool Delete(ReadOnlySpan<byte> key) => Delete(Db, key);

    public bool Delete(int db, ReadOnlySpan<byte> key)
    {
        var shard = ShardOf(key);
        if (Lookup(shard, db, key) is null || !shard.Databases[db].Remove(key))
        {
            return false;
        }
        Modified(shard, db, key);
        return true;
    }

    /// <summary>The expire of a live key as Unix ms, or -1 when it has none.</summary>
    public long GetExpire(ReadOnlySpan<byte> key) => DatabaseOf(key).GetExpire(key);

    public long GetExpire(int db, ReadOnlySpan<byte> key) => ShardOf(key).Databases[db].GetExpire(key);

    public void SetExpire(ReadOnlySpan<byte> key, long expiresAtMs) => SetExpire(Db, key, expiresAtMs);

    public void SetExpire(int db, ReadOnlySpan<byte> key, long expiresAtMs)
    {
        var shard = ShardOf(key);
        shard.Databases[db].SetExpire(key, expiresAtMs);
        Modified(shard, db, key);
    }

    public bool Persist(ReadOnlySpan<byte> key)
    {
        var shard = ShardOf(key);
        if (!shard.Databases[Db].RemoveExpire(key))
        {
            return false;
        }
        Modified(shard, Db, key);
        return true;
    }

    /// <summary>
    /// Announces a possible write to <paramref name="key"/> before the command runs, so changes made in
    /// place to its value (APPEND, INCR, SETRANGE ...) cannot reach a snapshot still to save it.
    /// </summary>
    public void BeforeWrite(ReadOnlySpan<byte> key) => DatabaseOf(key).BeforeWrite(key);

    /// <summary>Signals an in-place modification of a value (APPEND, INCR, SETRANGE ...).</summary>
    public void Modified(ReadOnlySpan<byte> key) => Modified(ShardOf(key), Db, key);

    private void Modified(ShardKeyspace shard, int db, ReadOnlySpan<byte> key)
    {
        Dirty++;
        shard.Touch(db, key);
    }

    private RedisValue? Lookup(ShardKeyspace shard, int db, ReadOnlySpan<byte> key)
    {
        var database = shard.Databases[db];
        var value = database.Find(key);
        if (value is null || SeesExpiredKeys || !database.IsExpired(key, NowMs))
        {
            return value;
        }
        if (ExpiresKeys)
        {
            database.Remove(key);
            shard.Stats.ExpiredKeys++;
            shard.Touch(db, key);
            if (Propagation is { Active: true })
            {
                Propagation.AddDelete(db, key);
            }
        }
        return null;
    }
}
