using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.Runtime;

namespace OrleansReplica.Grains.Snapshots;

/// <summary>
/// A point-in-time snapshot of every shard, written as one RDB (or command) stream while writes go on. The cut
/// holds every shard's turn at once, so it falls at one point of the write order; afterwards each
/// shard is walked in short turns, and a write to a part not yet saved saves that part first.
/// Extra memory is the bytes produced and not yet written out, not a copy of the data.
/// </summary>
public sealed class KeyspaceSnapshot
{
    // Bytes a shard produces per turn: small enough (tens of microseconds) that commands waiting on
    // the turn barely notice, even when the walker loses its core while it holds the turn.
    private const int ChunkBytes = 8 * 1024;

    // How long a walker runs before it offers its core to any thread waiting for one. On a machine with
    // as many busy threads as cores, the connections' thread would otherwise wait out the walker's whole
    // scheduler slice (3-4 ms, measured); yielding more often (every chunk) starves the walk under load.
    private static readonly TimeSpan YieldEvery = TimeSpan.FromMilliseconds(1);

    // Null when the caller already holds every shard's turn for the whole write (DEBUG RELOAD, FLUSHALL's save).
    private readonly IShardGrain[]? _shards;
    private readonly ShardSnapshot[] _parts;
    private readonly long[] _keysPerDb;
    private readonly long[] _expiresPerDb;
    private readonly SnapshotFormat _format;

    private KeyspaceSnapshot(IShardGrain[]? shards, ShardSnapshot[] parts, long[] keysPerDb, long[] expiresPerDb, SnapshotFormat format, long cutUnixMs)
    {
        _shards = shards;
        _parts = parts;
        _keysPerDb = keysPerDb;
        _expiresPerDb = expiresPerDb;
        _format = format;
        CutUnixMs = cutUnixMs;
    }

    /// <summary>The replication id and offset at the cut, when the caller recorded them (a full sync).</summary>
    public string? ReplId { get; set; }

    public long ReplOffset { get; set; }

    /// <summary>The database the replication stream had selected at the cut (repl-stream-db).</summary>
    public int ReplStreamDb { get; set; }

    /// <summary>Unix ms of the cut.</summary>
    public long CutUnixMs { get; }

    /// <summary>Keys in the snapshot.</summary>
    public long Keys => _keysPerDb.Sum();

    /// <summary>
    /// Walks every shard at once instead of one at a time: a full sync finishes sooner, at the price
    /// of the cores client commands would otherwise get (a background save keeps it off).
    /// </summary>
    public bool WalkShardsInParallel { get; set; }

    /// <summary>Keys serialized so far (read while the snapshot runs, for INFO).</summary>
    public long KeysWritten => _parts.Sum(static part => part.Keys);

    /// <summary>Bytes of the RDB stream written so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>
    /// Takes the cut: holds every shard's turn (in ascending order, as any multi-shard command),
    /// starts each shard's part, runs <paramref name="atCut"/> (e.g. reading the replication offset) and lets go.
    /// </summary>
    public static async Task<KeyspaceSnapshot> TakeAsync(IGrainFactory grains, int shardCount, SnapshotFormat format, long nowUnixMs, Action? atCut = null)
    {
        var shards = new IShardGrain[shardCount];
        var leases = new GrainTurnLease<IShardGrain>[shardCount];
        var taken = 0;
        try
        {
            for (; taken < shardCount; taken++)
            {
                shards[taken] = grains.GetGrain<IShardGrain>(taken);
                leases[taken] = await ((GrainReference<IShardGrain>)shards[taken]).AcquireTurnAsync();
            }
            var snapshot = Cut(shards, leases.Select(static lease => lease.Grain.KeyspaceInTurn).ToArray(), format, nowUnixMs);
            atCut?.Invoke();
            return snapshot;
        }
        finally
        {
            for (var i = taken - 1; i >= 0; i--)
            {
                leases[i].Dispose();
            }
        }
    }

    /// <summary>Takes the cut of shards whose turns the caller holds, and will hold until the snapshot is written.</summary>
    public static KeyspaceSnapshot CutHeld(IReadOnlyList<ShardKeyspace> held, SnapshotFormat format, long nowUnixMs) =>
        Cut(null, held, format, nowUnixMs);

    private static KeyspaceSnapshot Cut(IShardGrain[]? shards, IReadOnlyList<ShardKeyspace> keyspaces, SnapshotFormat format, long nowUnixMs)
    {
        var parts = new ShardSnapshot[keyspaces.Count];
        var databases = keyspaces[0].Databases.Length;
        var keysPerDb = new long[databases];
        var expiresPerDb = new long[databases];
        for (var i = 0; i < keyspaces.Count; i++)
        {
            parts[i] = new ShardSnapshot(keyspaces[i], format);
            for (var db = 0; db < databases; db++)
            {
                keysPerDb[db] += keyspaces[i].Databases[db].Count;
                expiresPerDb[db] += keyspaces[i].Databases[db].Expires.Count;
            }
        }
        return new KeyspaceSnapshot(shards, parts, keysPerDb, expiresPerDb, format, nowUnixMs);
    }

    /// <summary>
    /// Writes the whole snapshot to <paramref name="output"/>. As RDB: header and <paramref name="writeAux"/>'s
    /// AUX fields, each database's size, every shard's keys, EOF and checksum.
    /// As commands: only the keys' commands.
    /// </summary>
    public async Task WriteAsync(Stream output, Action<RdbWriter>? writeAux = null, CancellationToken cancellationToken = default)
    {
        var rdb = _format.RdbOptions;
        var checksum = rdb is { Checksum: true };
        var crc = 0UL;
        using var gate = new SemaphoreSlim(1);

        async Task EmitAsync(ReadOnlyMemory<byte> bytes)
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                if (checksum)
                {
                    crc = Crc64.Update(crc, bytes.Span);
                }
                await output.WriteAsync(bytes, cancellationToken);
                BytesWritten += bytes.Length;
            }
            finally
            {
                gate.Release();
            }
        }

        if (rdb is not null)
        {
            await EmitAsync(RdbHead(rdb, writeAux));
        }
        try
        {
            if (WalkShardsInParallel)
            {
                await Task.WhenAll(_parts.Select((part, i) => WalkAsync(_shards?[i], part, EmitAsync, cancellationToken)));
            }
            else
            {
                // One shard at a time: a second walker would take the core the connections need.
                for (var i = 0; i < _parts.Length; i++)
                {
                    await WalkAsync(_shards?[i], _parts[i], EmitAsync, cancellationToken);
                }
            }
        }
        catch
        {
            await AbandonAsync();
            throw;
        }
        if (rdb is not null)
        {
            // EOF opcode and the checksum of everything before it (zeros when checksums are off).
            var tail = new byte[9];
            tail[0] = 0xFF;
            if (checksum)
            {
                crc = Crc64.Update(crc, tail.AsSpan(0, 1));
                BinaryPrimitives.WriteUInt64LittleEndian(tail.AsSpan(1), crc);
            }
            await output.WriteAsync(tail, cancellationToken);
            BytesWritten += tail.Length;
        }
        await output.FlushAsync(cancellationToken);
    }

    private ReadOnlyMemory<byte> RdbHead(RdbWriterOptions options, Action<RdbWriter>? writeAux)
    {
        var head = new ArrayBufferWriter<byte>(1024);
        var writer = new RdbWriter(head, options);
        writer.WriteHeader();
        writeAux?.Invoke(writer);
        for (var db = 0; db < _keysPerDb.Length; db++)
        {
            if (_keysPerDb[db] != 0)
            {
                writer.WriteSelectDb(db);
                writer.WriteResizeDb(_keysPerDb[db], _expiresPerDb[db]);
            }
        }
        return head.WrittenMemory;
    }

    private static async Task WalkAsync(IShardGrain? shard, ShardSnapshot part, Func<ReadOnlyMemory<byte>, Task> emit, CancellationToken cancellationToken)
    {
        var done = false;
        var runningSince = Stopwatch.GetTimestamp();
        while (!done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] chunk;
            int length;
            var lease = shard is null ? default : await ((GrainReference<IShardGrain>)shard).AcquireTurnAsync();
            try
            {
                part.Advance(ChunkBytes);
                (chunk, length) = part.TakeChunk();
                done = part.Done;
            }
            finally
            {
                lease.Dispose();
            }
            var raw = chunk;
            (chunk, length) = part.Encode(raw.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(raw);
            try
            {
                if (length != 0)
                {
                    await emit(chunk.AsMemory(0, length));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            if (shard is not null)
            {
                if (Stopwatch.GetElapsedTime(runningSince) >= YieldEvery)
                {
                    Thread.Yield();
                    runningSince = Stopwatch.GetTimestamp();
                }
                // Let the commands queued behind the turn run before taking it again.
                await Task.Yield();
            }
        }
    }

    /// <summary>Stops every shard's walk (the output failed or was cancelled).</summary>
    public async Task AbandonAsync()
    {
        for (var i = 0; i < _parts.Length; i++)
        {
            var lease = _shards is null ? default : await ((GrainReference<IShardGrain>)_shards[i]).AcquireTurnAsync();
            try
            {
                _parts[i].Abandon();
            }
            finally
            {
                lease.Dispose();
            }
        }
    }
}
