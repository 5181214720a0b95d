using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Grains.Snapshots;

/// <summary>
/// One shard's part of a snapshot: the walks of its non-empty databases and the keys they saved
/// since the last chunk was taken, copied raw while holding the shard's turn (all but
/// <see cref="Encode"/>, which the walker runs outside the turn).
/// </summary>
public sealed class ShardSnapshot
{
    // Keys are copied raw while the turn is held (a memcpy); they are encoded (RDB, LZF) outside it.
    private readonly SavedKeySegments _pending = new();
    private readonly ArrayBufferWriter<byte> _encoded = new(64 * 1024);
    private readonly byte[] _scratch = new byte[24];
    private readonly ISnapshotEncoder _encoder;
    private readonly List<(Database Database, DatabaseSnapshot Walk)> _walks = [];
    private int _selectedDb = -1;
    private int _walking;

    /// <summary>Starts the snapshot of <paramref name="keyspace"/>: must run in the same cut as every other shard's.</summary>
    public ShardSnapshot(ShardKeyspace keyspace, SnapshotFormat format)
    {
        _encoder = format.CreateEncoder(_encoded);
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

    public int PendingBytes => _pending.Bytes;

    /// <summary>Every database is walked and every key saved is taken.</summary>
    public bool Done => _walking >= _walks.Count && _pending.Bytes == 0;

    /// <summary>Appends one key as it was at the cut.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(int db, byte[] key, RedisValue value, long expireAtMs)
    {
        if (value is not RedisString text)
        {
            throw new NotSupportedException($"No snapshot form for values of type {value.TypeName}.");
        }
        var bytes = text.IsInteger ? default : text.GetBytes(_scratch);
        var span = _pending.GetSpan(4 + 8 + 4 + key.Length + 1 + 4 + Math.Max(8, bytes.Length));
        BinaryPrimitives.WriteInt32LittleEndian(span, db);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], expireAtMs);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], key.Length);
        key.CopyTo(span[16..]);
        var at = 16 + key.Length;
        if (text.IsInteger)
        {
            span[at] = 0;
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 1)..], text.Integer);
            at += 9;
        }
        else
        {
            span[at] = 1;
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 1)..], bytes.Length);
            bytes.CopyTo(span[(at + 5)..]);
            at += 5 + bytes.Length;
        }
        _pending.Advance(at);
        Keys++;
    }

    /// <summary>Encodes raw keys taken with <see cref="TakeChunk"/> (outside the turn) into the snapshot's format.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (byte[] Buffer, int Length) Encode(ReadOnlySpan<byte> raw)
    {
        _encoded.ResetWrittenCount();
        while (!raw.IsEmpty)
        {
            var db = BinaryPrimitives.ReadInt32LittleEndian(raw);
            var expireAtMs = BinaryPrimitives.ReadInt64LittleEndian(raw[4..]);
            var keyLength = BinaryPrimitives.ReadInt32LittleEndian(raw[12..]);
            var key = raw.Slice(16, keyLength);
            var at = 16 + keyLength;
            if (db != _selectedDb)
            {
                _encoder.SelectDb(db);
                _selectedDb = db;
            }
            if (raw[at] == 0)
            {
                _encoder.WriteInteger(key, BinaryPrimitives.ReadInt64LittleEndian(raw[(at + 1)..]), expireAtMs);
                at += 9;
            }
            else
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(raw[(at + 1)..]);
                _encoder.WriteString(key, raw.Slice(at + 5, length), expireAtMs);
                at += 5 + length;
            }
            raw = raw[at..];
        }
        _selectedDb = -1;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, _encoded.WrittenCount));
        _encoded.WrittenSpan.CopyTo(buffer);
        return (buffer, _encoded.WrittenCount);
    }

    /// <summary>Walks on until about <paramref name="maxBytes"/> are pending.</summary>
    public void Advance(int maxBytes)
    {
        while (_walking < _walks.Count && _pending.Bytes < maxBytes)
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
    }

    /// <summary>Moves the oldest pending bytes out (a pooled array the caller returns); the next chunk starts with SELECTDB.</summary>
    public (byte[] Buffer, int Length) TakeChunk() => _pending.Take();

    /// <summary>Detaches from databases still being walked (the snapshot was abandoned).</summary>
    public void Abandon()
    {
        for (var i = _walking; i < _walks.Count; i++)
        {
            _walks[i].Database.EndSnapshot(_walks[i].Walk);
            _walks[i].Walk.Abandon();
        }
        _walking = _walks.Count;
        _pending.Clear();
    }
}
