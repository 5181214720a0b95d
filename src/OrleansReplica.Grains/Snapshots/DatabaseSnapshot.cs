using System.Buffers;
using System.Runtime.CompilerServices;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Grains.Snapshots;

/// <summary>
/// Saves one database part as it was at the cut: a walk over its buckets, plus a bucket saved early
/// whenever a write is about to change it. Each bucket is saved exactly once, so every key of the
/// cut is written once with its value of the cut, and no key created later is.
/// </summary>
public sealed class DatabaseSnapshot
{
    private const int BatchBuckets = 32;

    private readonly ShardSnapshot _shard;
    private readonly KeyTable _table;
    private readonly ExpireIndex _expires;
    private readonly ulong[] _saved;
    private readonly int _buckets;
    private int _cursor;

    // Pairs in a struct: storing into them needs no array covariance check, which would read each key's type right away.
    private (byte[] Key, RedisValue Value)[] _batch = new (byte[], RedisValue)[2 * BatchBuckets];

    // Keeps the touching reads of a batch from being optimized away.
    private int _touched;

    public DatabaseSnapshot(ShardSnapshot shard, int db, KeyTable table, ExpireIndex expires)
    {
        _shard = shard;
        Db = db;
        _table = table;
        _expires = expires;
        table.Pin();
        _buckets = table.BucketCount;
        // Pooled: a large table's bitmap is over the large object heap's threshold, and a new one per snapshot adds up.
        var words = (_buckets + 63) / 64;
        _saved = ArrayPool<ulong>.Shared.Rent(words);
        Array.Clear(_saved, 0, words);
    }

    /// <summary>The database index at the cut (SWAPDB may move the part afterwards).</summary>
    public int Db { get; }

    public bool Done => _cursor >= _buckets;

    /// <summary>Called before any change to <paramref name="key"/>: saves its bucket first if not saved yet.</summary>
    public void BeforeWrite(ReadOnlySpan<byte> key)
    {
        var bucket = _table.BucketOf(key);
        if (!IsSaved(bucket))
        {
            Save(bucket);
        }
    }

    /// <summary>Saves unsaved buckets in order until the shard's output holds <paramref name="maxBytes"/>; true when the walk is complete.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Advance(int maxBytes)
    {
        if (Done)
        {
            return true;
        }
        while (_cursor < _buckets)
        {
            // The entries of a bucket, their keys and values lie anywhere in memory: gathering a batch of
            // buckets first, then touching the keys and values, then writing them lets the CPU overlap the
            // cache misses of many entries instead of waiting for each one in turn.
            var count = 0;
            for (var end = Math.Min(_cursor + BatchBuckets, _buckets); _cursor < end; _cursor++)
            {
                if (IsSaved(_cursor))
                {
                    continue;
                }
                _saved[_cursor >> 6] |= 1UL << _cursor;
                foreach (var (key, value) in _table.InBucket(_cursor))
                {
                    if (count == _batch.Length)
                    {
                        Array.Resize(ref _batch, count * 2);
                    }
                    _batch[count++] = (key, value);
                }
            }
            var touched = 0;
            for (var i = 0; i < count; i++)
            {
                touched += _batch[i].Key.Length;
                if (_batch[i].Value is RedisString { IsInteger: false } text)
                {
                    touched += text.GetBytes(default).Length;
                }
            }
            _touched += touched;
            for (var i = 0; i < count; i++)
            {
                var (key, value) = _batch[i];
                _shard.Write(Db, key, value, _expires.TryGet(key, out var at) ? at : -1);
                _batch[i] = default;
            }
            if (_shard.PendingBytes >= maxBytes)
            {
                break;
            }
        }
        if (_cursor >= _buckets)
        {
            Finish();
            return true;
        }
        return false;
    }

    /// <summary>Stops the walk early: the table may resize again.</summary>
    public void Abandon()
    {
        if (!Done)
        {
            _cursor = _buckets;
            Finish();
        }
    }

    // Every bucket is saved: no write asks about the bitmap any more (the database drops this walk in the same turn).
    private void Finish()
    {
        _table.Unpin();
        ArrayPool<ulong>.Shared.Return(_saved);
    }

    private bool IsSaved(int bucket) => (_saved[bucket >> 6] & (1UL << bucket)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Save(int bucket)
    {
        _saved[bucket >> 6] |= 1UL << bucket;
        foreach (var (key, value) in _table.InBucket(bucket))
        {
            _shard.Write(Db, key, value, _expires.TryGet(key, out var at) ? at : -1);
        }
    }
}
