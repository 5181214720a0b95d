using System.Buffers;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Grains.Snapshots;

/// <summary>
/// One shard's part of a snapshot: the walks of its non-empty databases and the RDB bytes they
/// produced since the last chunk was taken. Used only while holding the shard's turn.
/// </summary>
public sealed class ShardSnapshot
{
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private readonly ISnapshotEncoder _encoder;
    private readonly List<(Database Database, DatabaseSnapshot Walk)> _walks = [];
    private int _selectedDb = -1;
    private int _walking;

    /// <summary>Starts the snapshot of <paramref name="keyspace"/>: must run in the same cut as every other shard's.</summary>
    public ShardSnapshot(ShardKeyspace keyspace, SnapshotFormat format)
    {
        _encoder = format.CreateEncoder(_pending);
        var databases = keyspace.Databases;
        for (var db = 0; db < databases.Length; db++)
        {
            if (databases[db].Count != 0)
            {
                _walks.Add((databases[db], databases[db].BeginSnapshot(this, db)));
            }
        }
    }

    /// <summary>Keys written so far.</summary>
    public long Keys { get; private set; }

    public int PendingBytes => _pending.WrittenCount;

    public bool Done => _walking >= _walks.Count;

    /// <summary>Appends one key as it was at the cut.</summary>
    public void Write(int db, byte[] key, RedisValue value, long expireAtMs)
    {
        if (db != _selectedDb)
        {
            _encoder.SelectDb(db);
            _selectedDb = db;
        }
        _encoder.Write(key, value, expireAtMs);
        Keys++;
    }

    /// <summary>Walks on until about <paramref name="maxBytes"/> are pending; true once every database is saved.</summary>
    public bool Advance(int maxBytes)
    {
        while (_walking < _walks.Count && _pending.WrittenCount < maxBytes)
        {
            var (database, walk) = _walks[_walking];
            if (!walk.Advance(maxBytes))
            {
                break;
            }
            // Every bucket is saved: writes to this part no longer concern the snapshot.
            database.EndSnapshot(walk);
            _walking++;
        }
        return Done;
    }

    /// <summary>Moves the pending bytes out (into a pooled array the caller returns); the next chunk starts with SELECTDB.</summary>
    public (byte[] Buffer, int Length) TakeChunk()
    {
        var length = _pending.WrittenCount;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        _pending.WrittenSpan.CopyTo(buffer);
        _pending.ResetWrittenCount();
        _selectedDb = -1;
        return (buffer, length);
    }

    /// <summary>Detaches from databases still being walked (the snapshot was abandoned).</summary>
    public void Abandon()
    {
        for (var i = _walking; i < _walks.Count; i++)
        {
            _walks[i].Database.EndSnapshot(_walks[i].Walk);
            _walks[i].Walk.Abandon();
        }
        _walking = _walks.Count;
    }
}
