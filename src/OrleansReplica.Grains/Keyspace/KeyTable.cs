using System.Runtime.CompilerServices;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>
/// The keys and values of one database part: a chained hash table whose buckets can be pinned, so a
/// snapshot can walk it bucket by bucket across many turns while writes go on. While pinned, the
/// bucket array never resizes (chains only grow longer) and a key never changes bucket.
/// </summary>
public sealed class KeyTable
{
    private const int MinimumBuckets = 16;

    private struct Entry
    {
        public int Hash;
        public int Next; // index of the next entry of the chain, -1 at the end; for a free entry, the next free one
        public byte[]? Key;
        public RedisValue? Value;
    }

    private int[] _buckets = new int[MinimumBuckets]; // 1 + index of the chain's first entry; 0 when empty
    private Entry[] _entries = new Entry[MinimumBuckets];
    private int _used;
    private int _freeHead = -1;
    private int _count;
    private int _pins;

    public int Count => _count;

    /// <summary>The number of buckets; fixed while the table is pinned.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>True while a snapshot walks the buckets.</summary>
    public bool IsPinned => _pins != 0;

    /// <summary>Keeps every key in its bucket until <see cref="Unpin"/>.</summary>
    public void Pin() => _pins++;

    public void Unpin()
    {
        _pins--;
        if (_pins == 0 && _count > _buckets.Length)
        {
            Rehash(BucketsFor(_count));
        }
    }

    /// <summary>Makes room for <paramref name="count"/> keys at once (loading a snapshot whose size is known), sparing the growth steps.</summary>
    public void EnsureCapacity(int count)
    {
        if (count > _entries.Length)
        {
            Array.Resize(ref _entries, count);
        }
        if (count > _buckets.Length && _pins == 0)
        {
            Rehash(BucketsFor(count));
        }
    }

    public int BucketOf(ReadOnlySpan<byte> key) => Hash(key) & (_buckets.Length - 1);

    public RedisValue? Find(ReadOnlySpan<byte> key)
    {
        var index = IndexOf(key, Hash(key));
        return index < 0 ? null : _entries[index].Value;
    }

    /// <summary>The table's own key instance, so side tables can share it.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] storedKey, out RedisValue value)
    {
        var index = IndexOf(key, Hash(key));
        if (index < 0)
        {
            storedKey = null!;
            value = null!;
            return false;
        }
        ref var entry = ref _entries[index];
        storedKey = entry.Key!;
        value = entry.Value!;
        return true;
    }

    /// <summary>Replaces the value of an existing key, or adds the key (copied); returns the stored key.</summary>
    public byte[] Set(ReadOnlySpan<byte> key, RedisValue value, out bool added)
    {
        var hash = Hash(key);
        var index = IndexOf(key, hash);
        if (index >= 0)
        {
            ref var entry = ref _entries[index];
            entry.Value = value;
            added = false;
            return entry.Key!;
        }
        var stored = key.ToArray();
        Insert(stored, hash, value);
        added = true;
        return stored;
    }

    /// <summary>Adds the key (copied) unless it is present; one hash and one walk of its chain (loading a snapshot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(ReadOnlySpan<byte> key, RedisValue value, out byte[] storedKey)
    {
        var hash = Hash(key);
        if (IndexOf(key, hash) >= 0)
        {
            storedKey = null!;
            return false;
        }
        storedKey = key.ToArray();
        Insert(storedKey, hash, value);
        return true;
    }

    /// <summary>Adds or replaces under an already-owned key array.</summary>
    public bool Set(byte[] key, RedisValue value)
    {
        var hash = Hash(key);
        var index = IndexOf(key, hash);
        if (index >= 0)
        {
            ref var entry = ref _entries[index];
            entry.Key = key;
            entry.Value = value;
            return false;
        }
        Insert(key, hash, value);
        return true;
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        ref var head = ref _buckets[hash & (_buckets.Length - 1)];
        var previous = -1;
        for (var index = head - 1; index >= 0; previous = index, index = _entries[index].Next)
        {
            ref var entry = ref _entries[index];
            if (entry.Hash != hash || !key.SequenceEqual(entry.Key))
            {
                continue;
            }
            if (previous < 0)
            {
                head = entry.Next + 1;
            }
            else
            {
                _entries[previous].Next = entry.Next;
            }
            entry = default;
            entry.Next = _freeHead;
            _freeHead = index;
            _count--;
            return true;
        }
        return false;
    }

    /// <summary>Empties the table (it must not be pinned: a snapshot detaches a table before it is flushed).</summary>
    public void Clear()
    {
        _buckets = new int[MinimumBuckets];
        _entries = new Entry[MinimumBuckets];
        _used = 0;
        _freeHead = -1;
        _count = 0;
    }

    /// <summary>The entries of one bucket, in chain order.</summary>
    public BucketEnumerator InBucket(int bucket) => new(this, _buckets[bucket] - 1);

    public TableEnumerator GetEnumerator() => new(this);

    public KeyEnumerable Keys => new(this);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int IndexOf(ReadOnlySpan<byte> key, int hash)
    {
        var entries = _entries;
        for (var index = _buckets[hash & (_buckets.Length - 1)] - 1; (uint)index < (uint)entries.Length; index = entries[index].Next)
        {
            ref var entry = ref entries[index];
            if (entry.Hash == hash && key.SequenceEqual(entry.Key))
            {
                return index;
            }
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Insert(byte[] key, int hash, RedisValue value)
    {
        int index;
        if (_freeHead >= 0)
        {
            index = _freeHead;
            _freeHead = _entries[index].Next;
        }
        else
        {
            if (_used == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }
            index = _used++;
        }
        _count++;
        if (_count > _buckets.Length && _pins == 0)
        {
            Rehash(_buckets.Length * 2);
        }
        ref var head = ref _buckets[hash & (_buckets.Length - 1)];
        _entries[index] = new Entry { Hash = hash, Next = head - 1, Key = key, Value = value };
        head = index + 1;
    }

    private void Rehash(int bucketCount)
    {
        var buckets = new int[bucketCount];
        for (var index = 0; index < _used; index++)
        {
            ref var entry = ref _entries[index];
            if (entry.Key is null)
            {
                continue;
            }
            ref var head = ref buckets[entry.Hash & (bucketCount - 1)];
            entry.Next = head - 1;
            head = index + 1;
        }
        _buckets = buckets;
    }

    private static int BucketsFor(int count)
    {
        var buckets = MinimumBuckets;
        while (buckets < count)
        {
            buckets *= 2;
        }
        return buckets;
    }

    // HashCode is randomly seeded per process, so adversarial keys cannot degrade the table.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode();
    }

    /// <summary>Walks one bucket's chain.</summary>
    public struct BucketEnumerator(KeyTable table, int first)
    {
        private int _next = first;
        private int _current = -1;

        public readonly KeyValuePair<byte[], RedisValue> Current =>
            new(table._entries[_current].Key!, table._entries[_current].Value!);

        public readonly BucketEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_next < 0)
            {
                return false;
            }
            _current = _next;
            _next = table._entries[_current].Next;
            return true;
        }
    }

    /// <summary>Walks every entry; the table must not change meanwhile.</summary>
    public struct TableEnumerator(KeyTable table)
    {
        private int _index = -1;

        public readonly KeyValuePair<byte[], RedisValue> Current =>
            new(table._entries[_index].Key!, table._entries[_index].Value!);

        public bool MoveNext()
        {
            while (++_index < table._used)
            {
                if (table._entries[_index].Key is not null)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>The keys, for KEYS, SCAN and RANDOMKEY.</summary>
    public readonly struct KeyEnumerable(KeyTable table)
    {
        public KeyEnumerator GetEnumerator() => new(table);
    }

    public struct KeyEnumerator(KeyTable table)
    {
        private TableEnumerator _entries = table.GetEnumerator();

        public readonly byte[] Current => _entries.Current.Key;

        public bool MoveNext() => _entries.MoveNext();
    }
}
