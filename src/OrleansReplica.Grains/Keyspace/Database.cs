using OrleansReplica.Grains.Snapshots;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>
/// One database's keys within one shard: values, expire times and the keys clients WATCH.
/// Not thread-safe: only the holder of the shard's turn touches it. While a snapshot is being
/// written, every write first lets each running snapshot save what it is about to change.
/// </summary>
public sealed class Database
{
    private KeyTable _entries = new();

    public int Count => _entries.Count;

    public ExpireIndex Expires { get; private set; } = new();

    /// <summary>Counts keys ever added; SCAN rebuilds its hash-ordered view of the keys only after this moves.</summary>
    public long KeysAdded { get; private set; }

    /// <summary>All entries, for SCAN, KEYS, DEBUG DIGEST and snapshots.</summary>
    public KeyTable Entries => _entries;

    // The snapshots still walking this part (a BGSAVE, an AOF rewrite and a full sync may overlap).
    private DatabaseSnapshot[] _snapshots = [];

    /// <summary>The value under <paramref name="key"/>, ignoring expire times.</summary>
    public RedisValue? Find(ReadOnlySpan<byte> key) => _entries.Find(key);

    /// <summary>The table's own key instance, so side tables can share it.</summary>
    public bool TryGetStoredKey(ReadOnlySpan<byte> key, out byte[] storedKey, out RedisValue value) =>
        _entries.TryGet(key, out storedKey, out value);

    /// <summary>Stores a value; a new key is copied, an existing key keeps its expire only when asked.</summary>
    public byte[] Set(ReadOnlySpan<byte> key, RedisValue value, bool keepExpire)
    {
        SaveForSnapshots(key);
        var storedKey = _entries.Set(key, value, out var added);
        if (added)
        {
            KeysAdded++;
        }
        else if (!keepExpire)
        {
            Expires.Remove(key);
        }
        return storedKey;
    }

    /// <summary>Adds a key that must be new (loading a snapshot), with its expire time or -1; false when it is already present.</summary>
    public bool TryAdd(ReadOnlySpan<byte> key, RedisValue value, long expireAtMs)
    {
        SaveForSnapshots(key);
        if (!_entries.TryAdd(key, value, out var storedKey))
        {
            return false;
        }
        KeysAdded++;
        if (expireAtMs >= 0)
        {
            Expires.Set(storedKey, expireAtMs);
        }
        return true;
    }

    /// <summary>Makes room for <paramref name="keys"/> keys at once (loading a snapshot).</summary>
    public void EnsureCapacity(int keys) => _entries.EnsureCapacity(keys);

    /// <summary>Adds under an already-owned key array (RENAME, MOVE, loading).</summary>
    public void Add(byte[] key, RedisValue value)
    {
        SaveForSnapshots(key);
        _entries.Set(key, value);
        KeysAdded++;
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        SaveForSnapshots(key);
        if (!_entries.Remove(key))
        {
            return false;
        }
        Expires.Remove(key);
        return true;
    }

    /// <summary>Must precede a change made in place to the value of <paramref name="key"/> (APPEND, INCR, SETRANGE ...).</summary>
    public void BeforeWrite(ReadOnlySpan<byte> key) => SaveForSnapshots(key);

    private void SaveForSnapshots(ReadOnlySpan<byte> key)
    {
        foreach (var snapshot in _snapshots)
        {
            snapshot.BeforeWrite(key);
        }
    }

    public void Clear()
    {
        if (_snapshots.Length != 0)
        {
            // The snapshots keep the old table, which nobody writes any more, and finish it at their own pace.
            _snapshots = [];
            _entries = new KeyTable();
            Expires = new ExpireIndex();
            return;
        }
        _entries.Clear();
        Expires.Clear();
    }

    /// <summary>Takes the contents of <paramref name="loaded"/> (loading a snapshot); that database is left empty.</summary>
    public void ReplaceWith(Database loaded)
    {
        Clear();
        (_entries, loaded._entries) = (loaded._entries, _entries);
        (Expires, loaded.Expires) = (loaded.Expires, Expires);
        KeysAdded += loaded.KeysAdded;
    }

    public long GetExpire(ReadOnlySpan<byte> key) => Expires.TryGet(key, out var at) ? at : -1;

    public bool SetExpire(ReadOnlySpan<byte> key, long expiresAtMs)
    {
        if (!_entries.TryGet(key, out var storedKey, out _))
        {
            return false;
        }
        SaveForSnapshots(key);
        Expires.Set(storedKey, expiresAtMs);
        return true;
    }

    /// <summary>Drops the expire of <paramref name="key"/> (PERSIST, an overwrite without KEEPTTL).</summary>
    public bool RemoveExpire(ReadOnlySpan<byte> key)
    {
        if (Expires.Count == 0)
        {
            return false;
        }
        SaveForSnapshots(key);
        return Expires.Remove(key);
    }

    public bool IsExpired(ReadOnlySpan<byte> key, long nowMs) =>
        Expires.Count != 0 && Expires.TryGet(key, out var at) && at <= nowMs;

    /// <summary>Starts a snapshot of this part; the returned walker saves every entry as it was now.</summary>
    public DatabaseSnapshot BeginSnapshot(ShardSnapshot shard, int db)
    {
        var snapshot = new DatabaseSnapshot(shard, db, _entries, Expires);
        _snapshots = [.. _snapshots, snapshot];
        return snapshot;
    }

    /// <summary>Stops notifying <paramref name="snapshot"/> of writes (it has saved every bucket).</summary>
    public void EndSnapshot(DatabaseSnapshot snapshot)
    {
        _snapshots = Array.FindAll(_snapshots, other => other != snapshot);
    }
}
