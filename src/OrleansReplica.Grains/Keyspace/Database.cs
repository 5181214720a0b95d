namespace OrleansReplica.Grains.Keyspace;

/// <summary>
/// One database's keys within one shard: values, expire times and the keys clients WATCH.
/// Not thread-safe: only the holder of the shard's turn touches it.
/// </summary>
public sealed class Database
{
    private readonly Dictionary<byte[], RedisValue> _entries = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], RedisValue>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

    public Database()
    {
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _entries.Count;

    public ExpireIndex Expires { get; } = new();

    /// <summary>Counts keys ever added; SCAN rebuilds its hash-ordered view of the keys only after this moves.</summary>
    public long KeysAdded { get; private set; }

    /// <summary>All entries, for SCAN, KEYS, DEBUG DIGEST and snapshots.</summary>
    public Dictionary<byte[], RedisValue> Entries => _entries;

    /// <summary>The value under <paramref name="key"/>, ignoring expire times.</summary>
    public RedisValue? Find(ReadOnlySpan<byte> key) => _bySpan.TryGetValue(key, out var value) ? value : null;

    /// <summary>The dictionary's own key instance, so side tables can share it.</summary>
    public bool TryGetStoredKey(ReadOnlySpan<byte> key, out byte[] storedKey, out RedisValue value) =>
        _bySpan.TryGetValue(key, out storedKey!, out value!);

    /// <summary>Stores a value; a new key is copied, an existing key keeps its expire only when asked.</summary>
    public byte[] Set(ReadOnlySpan<byte> key, RedisValue value, bool keepExpire)
    {
        if (_bySpan.TryGetValue(key, out var storedKey, out _))
        {
            _entries[storedKey] = value;
            if (!keepExpire)
            {
                Expires.Remove(key);
            }
            return storedKey;
        }
        storedKey = key.ToArray();
        _entries.Add(storedKey, value);
        KeysAdded++;
        return storedKey;
    }

    /// <summary>Adds under an already-owned key array (RENAME, MOVE, loading).</summary>
    public void Add(byte[] key, RedisValue value)
    {
        _entries[key] = value;
        KeysAdded++;
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        if (!_bySpan.Remove(key))
        {
            return false;
        }
        Expires.Remove(key);
        return true;
    }

    public void Clear()
    {
        _entries.Clear();
        Expires.Clear();
    }

    public long GetExpire(ReadOnlySpan<byte> key) => Expires.TryGet(key, out var at) ? at : -1;

    public bool SetExpire(ReadOnlySpan<byte> key, long expiresAtMs)
    {
        if (!_bySpan.TryGetValue(key, out var storedKey, out _))
        {
            return false;
        }
        Expires.Set(storedKey, expiresAtMs);
        return true;
    }

    public bool IsExpired(ReadOnlySpan<byte> key, long nowMs) =>
        Expires.Count != 0 && Expires.TryGet(key, out var at) && at <= nowMs;
}
