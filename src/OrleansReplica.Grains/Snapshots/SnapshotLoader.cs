using System.Runtime.CompilerServices;
using System.Text;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Snapshots;

/// <summary>
/// Loads an RDB stream into fresh databases, away from the live keyspace, and installs them only
/// once the whole stream has been read and verified: a bad file never leaves a half-loaded keyspace.
/// </summary>
public sealed class SnapshotLoader : IRdbHandler
{
    private readonly ShardMap _map;
    private readonly Database[][] _loaded;
    private readonly long _skipExpiredBefore;

    /// <param name="skipExpiredBeforeMs">Keys whose expire time is at or before this Unix ms are dropped (a master does so; a replica passes -1 and keeps them).</param>
    public SnapshotLoader(ShardMap map, int databases, long skipExpiredBeforeMs)
    {
        _map = map;
        _skipExpiredBefore = skipExpiredBeforeMs;
        _loaded = new Database[map.ShardCount][];
        for (var shard = 0; shard < _loaded.Length; shard++)
        {
            _loaded[shard] = new Database[databases];
            for (var db = 0; db < databases; db++)
            {
                _loaded[shard][db] = new Database();
            }
        }
    }

    public long Keys { get; private set; }

    public long ExpiredSkipped { get; private set; }

    public RdbReadSummary? Summary { get; private set; }

    /// <summary>Reads the whole stream; throws <see cref="RdbFormatException"/> naming the source and byte offset of the first problem.</summary>
    public RdbReadSummary Read(Stream input, string source) => Read(input, source, -1);

    /// <summary>As <see cref="Read(Stream, string)"/>, from a stream that holds at most <paramref name="length"/> bytes (-1: unknown), which the reader may buffer ahead within.</summary>
    public RdbReadSummary Read(Stream input, string source, long length)
    {
        var reader = new RdbReader(input, source, length);
        try
        {
            Summary = reader.Read(this);
            return Summary;
        }
        catch (SnapshotContentException refused)
        {
            throw new RdbFormatException(refused.Message, source, reader.Position);
        }
    }

    /// <summary>Replaces every shard's databases with the loaded ones, atomically (all shard turns held).</summary>
    public async Task InstallAsync(IGrainFactory grains)
    {
        var leases = new GrainTurnLease<IShardGrain>[_loaded.Length];
        var taken = 0;
        try
        {
            for (; taken < leases.Length; taken++)
            {
                leases[taken] = await ((GrainReference<IShardGrain>)grains.GetGrain<IShardGrain>(taken)).AcquireTurnAsync();
            }
            InstallInto(leases.Select(static lease => lease.Grain.KeyspaceInTurn).ToArray());
        }
        finally
        {
            for (var i = taken - 1; i >= 0; i--)
            {
                leases[i].Dispose();
            }
        }
    }

    /// <summary>Replaces the databases of shards whose turns the caller holds (all of them, in shard order).</summary>
    public void InstallInto(IReadOnlyList<ShardKeyspace> held)
    {
        foreach (var keyspace in held)
        {
            for (var db = 0; db < keyspace.Databases.Length; db++)
            {
                keyspace.TouchAll(db);
                keyspace.Databases[db].ReplaceWith(_loaded[keyspace.Index][db]);
                keyspace.TouchAll(db);
            }
        }
    }

    public void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
    }

    public void OnSelectDb(int db)
    {
        if (db < 0 || db >= _loaded[0].Length)
        {
            throw new SnapshotContentException($"FATAL: Data file was created with a Redis server configured to handle more than {_loaded[0].Length} databases. Exiting");
        }
        _selectedDb = db;
    }

    /// <summary>The size hint of the selected database: each shard's part is sized for its share at once.</summary>
    public void OnResizeDb(long keys, long expires)
    {
        // Only a hint, from a file not yet verified: bounded so a bad one cannot reserve much memory.
        var share = (int)Math.Min(keys / _loaded.Length + keys / 8 / _loaded.Length + 16, 1 << 22);
        foreach (var shard in _loaded)
        {
            shard[_selectedDb].EnsureCapacity(share);
        }
    }

    private int _selectedDb;

    // Optimized from the first call: a full sync runs it for every key of a fresh process. Implemented
    // explicitly: the interface's `in` parameter carries a required modifier that a non-virtual method
    // lacks, so an implicit implementation is reached through a compiler-made bridge on every key.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IRdbHandler.OnString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in RdbKeyMetadata metadata)
    {
        if (metadata.ExpireAtMs >= 0 && metadata.ExpireAtMs <= _skipExpiredBefore)
        {
            ExpiredSkipped++;
            return;
        }
        if (!_loaded[_map.ShardOf(key)][metadata.Db].TryAdd(key, RedisString.Create(value), metadata.ExpireAtMs))
        {
            throw new SnapshotContentException($"RDB has duplicated key '{Encoding.UTF8.GetString(key)}' in DB {metadata.Db}");
        }
        Keys++;
    }

    public void OnList(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> items, in RdbKeyMetadata metadata) => Refuse("list", key);

    public void OnSet(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> members, in RdbKeyMetadata metadata) => Refuse("set", key);

    public void OnSortedSet(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Member, double Score)> members, in RdbKeyMetadata metadata) => Refuse("zset", key);

    public void OnHash(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Field, byte[] Value)> fields, in RdbKeyMetadata metadata) => Refuse("hash", key);

    public void OnStream(ReadOnlySpan<byte> key, RdbStream stream, in RdbKeyMetadata metadata) => Refuse("stream", key);

    public void OnFunction(ReadOnlySpan<byte> libraryCode) =>
        throw new SnapshotContentException("Functions are not supported by this server");

    public void OnModuleAux(ReadOnlySpan<byte> moduleName) =>
        throw new SnapshotContentException($"Module data ({Encoding.UTF8.GetString(moduleName)}) is not supported by this server");

    private static void Refuse(string type, ReadOnlySpan<byte> key) =>
        throw new SnapshotContentException($"Values of type {type} are not supported yet (key '{Encoding.UTF8.GetString(key)}')");

    /// <summary>Well-formed content this server cannot take.</summary>
    private sealed class SnapshotContentException(string message) : Exception(message);
}
