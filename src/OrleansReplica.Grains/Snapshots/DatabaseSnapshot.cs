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
    private readonly ShardSnapshot _shard;
    private readonly KeyTable _table;
    private readonly ExpireIndex _expires;
    private readonly ulong[] _saved;
    private readonly int _buckets;
    private int _cursor;

    public DatabaseSnapshot(ShardSnapshot shard, int db, KeyTable table, ExpireIndex expires)
    {
        _shard = shard;
        Db = db;
        _table = table;
        _expires = expires;
        table.Pin();
        _buckets = table.BucketCount;
        _saved = new ulong[(_buckets + 63) / 64];
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
        while (_cursor < _buckets)
        {
            var bucket = _cursor++;
            if (!IsSaved(bucket))
            {
                Save(bucket);
                if (_shard.PendingBytes >= maxBytes)
                {
                    break;
                }
            }
        }
        if (_cursor >= _buckets)
        {
            _table.Unpin();
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
            _table.Unpin();
        }
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
