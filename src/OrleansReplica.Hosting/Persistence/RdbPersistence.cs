using System.Diagnostics;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Hosting.Persistence;

/// <summary>
/// RDB persistence of one silo: SAVE and BGSAVE to dir/dbfilename (a temp file, fsynced, renamed),
/// the save points, loading at start, and the rdb_* fields of INFO persistence. A background save
/// needs no fork: it writes a snapshot cut while clients keep writing.
/// </summary>
public sealed class RdbPersistence(Silo silo)
{
    // After a failed background save, save points wait this long before trying again (as Redis).
    private static readonly TimeSpan RetryDelayAfterError = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();

    // Renames of finished saves and their cancellation exclude each other: a save cancelled by a
    // FLUSHALL either renamed before it (and the FLUSHALL's own save comes later) or never does.
    private readonly Lock _renameGate = new();
    private CancellationTokenSource _saves = new();
    private long _saveNumber;
    private Task? _background;
    private CancellationTokenSource? _backgroundCancel;
    private long _lastAttemptUnixSeconds;

    /// <summary>Unix seconds of the last successful save (the start time until one happens).</summary>
    public long LastSaveUnixSeconds { get; private set; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public bool LastBackgroundSaveOk { get; private set; } = true;

    /// <summary>Duration of the last background save in seconds, -1 before the first.</summary>
    public long LastBackgroundSaveSeconds { get; private set; } = -1;

    public long Saves { get; private set; }

    public bool BackgroundSaveInProgress => _background is { IsCompleted: false };

    /// <summary>When the running background save started (Stopwatch ticks).</summary>
    public long BackgroundSaveStarted { get; private set; }

    public long LastLoadKeysLoaded { get; private set; }

    public long LastLoadKeysExpired { get; private set; }

    /// <summary>The snapshot being written, for the current_save_keys_* fields.</summary>
    public KeyspaceSnapshot? Current { get; private set; }

    public string FilePath => Path.Combine(silo.Config.Dir, silo.Config.DbFilename);

    private SnapshotFormat Format => SnapshotFormat.Rdb(new RdbWriterOptions { Compression = silo.Config.RdbCompression, Checksum = silo.Config.RdbChecksum });

    /// <summary>SAVE: writes the snapshot and returns once it is on disk; false when it failed (logged).</summary>
    public async Task<bool> SaveAsync()
    {
        var cancel = CurrentSaves;
        var (snapshot, dirtyAtCut) = await CutAsync();
        try
        {
            return Saved(await WriteFileAsync(snapshot, dirtyAtCut, cancel), counted: true);
        }
        catch (OperationCanceledException)
        {
            silo.Log.Warning("DB save cancelled: the dataset was flushed meanwhile");
            return false;
        }
    }

    /// <summary>
    /// Cuts a snapshot for a save, recording at the cut the changes it covers and where the
    /// replication stream stood (a replica restarting from the file continues from there).
    /// </summary>
    private async Task<(KeyspaceSnapshot Snapshot, long DirtyAtCut)> CutAsync()
    {
        var dirty = 0L;
        var (replId, offset, streamDb) = ("", 0L, 0);
        var snapshot = await KeyspaceSnapshot.TakeAsync(silo.Grains, silo.ShardMap.ShardCount, Format, NowMs(), () =>
        {
            dirty = silo.ChangesSinceLastSave;
            (replId, offset, streamDb) = (silo.Backlog.ReplId, silo.Backlog.Offset, silo.Backlog.StreamDb);
        });
        (snapshot.ReplId, snapshot.ReplOffset, snapshot.ReplStreamDb) = (replId, offset, streamDb);
        return (snapshot, dirty);
    }

    private CancellationToken CurrentSaves
    {
        get
        {
            lock (_renameGate)
            {
                return _saves.Token;
            }
        }
    }

    /// <summary>Saves a snapshot already cut (a full sync to disk-based replicas), as BGSAVE would.</summary>
    public async Task<bool> SaveSnapshotAsync(KeyspaceSnapshot snapshot) =>
        Saved(await WriteFileAsync(snapshot, 0, CurrentSaves), counted: true);

    /// <summary>A save while every shard's turn is already held by the caller (DEBUG RELOAD, FLUSHALL).</summary>
    public async Task<bool> SaveHeldAsync(IReadOnlyList<ShardKeyspace> held)
    {
        var snapshot = KeyspaceSnapshot.CutHeld(held, Format, NowMs());
        (snapshot.ReplId, snapshot.ReplOffset, snapshot.ReplStreamDb) = (silo.Backlog.ReplId, silo.Backlog.Offset, silo.Backlog.StreamDb);
        return Saved(await WriteFileAsync(snapshot, silo.ChangesSinceLastSave, CancellationToken.None), counted: false);
    }

    /// <summary>SAVE and BGSAVE count in rdb_saves; the saves FLUSHALL and DEBUG RELOAD make do not, as in Redis.</summary>
    private bool Saved(bool ok, bool counted)
    {
        if (ok)
        {
            silo.Log.Notice("DB saved on disk");
            if (counted)
            {
                Saves++;
            }
        }
        return ok;
    }

    /// <summary>BGSAVE: starts a background save; false when one is already running.</summary>
    public bool TryStartBackgroundSave()
    {
        lock (_gate)
        {
            if (BackgroundSaveInProgress)
            {
                return false;
            }
            _backgroundCancel = CancellationTokenSource.CreateLinkedTokenSource(CurrentSaves);
            BackgroundSaveStarted = Stopwatch.GetTimestamp();
            _lastAttemptUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            _background = Task.Run(() => BackgroundSaveAsync(_backgroundCancel.Token));
            return true;
        }
    }

    /// <summary>Waits for a running background save to finish, whatever its outcome.</summary>
    public async Task WaitForBackgroundSaveAsync()
    {
        var running = _background;
        if (running is not null)
        {
            await running.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops every save in progress without installing its file (FLUSHALL, as Redis kills the save
    /// child; shutdown, before its final save): their data is no longer the dataset's.
    /// </summary>
    public void CancelSaves()
    {
        lock (_renameGate)
        {
            _saves.Cancel();
            _saves = new CancellationTokenSource();
        }
    }

    /// <summary>The save points: starts a background save when one of them is reached.</summary>
    public void CheckSavePoints()
    {
        var points = silo.Config.Save;
        if (points.Count == 0 || BackgroundSaveInProgress)
        {
            return;
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var changes = silo.ChangesSinceLastSave;
        foreach (var point in points)
        {
            if (changes >= point.Changes && now - LastSaveUnixSeconds > point.Seconds &&
                (LastBackgroundSaveOk || now - _lastAttemptUnixSeconds > RetryDelayAfterError.TotalSeconds))
            {
                silo.Log.Notice($"{point.Changes} changes in {point.Seconds} seconds. Saving...");
                TryStartBackgroundSave();
                return;
            }
        }
    }

    /// <summary>Loads dir/dbfilename when it exists; a corrupt file throws <see cref="RdbFormatException"/> and nothing is loaded.</summary>
    public async Task<bool> LoadAsync()
    {
        var path = FilePath;
        if (!File.Exists(path))
        {
            return false;
        }
        var started = Stopwatch.GetTimestamp();
        // A replica keeps keys its clock says expired: its master decides, and will send their DEL.
        var replica = silo.Config.ReplicaOf is not null;
        var loader = new SnapshotLoader(silo.ShardMap, silo.Config.Databases, skipExpiredBeforeMs: replica ? -1 : NowMs());
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            loader.Read(file, silo.Config.DbFilename);
        }
        await loader.InstallAsync(silo.Grains);
        if (replica)
        {
            await RestoreReplicationHistoryAsync(loader.Summary!);
        }
        LastLoadKeysLoaded = loader.Keys;
        LastLoadKeysExpired = loader.ExpiredSkipped;
        silo.Log.Notice($"Done loading RDB, keys loaded: {loader.Keys}, keys expired: {loader.ExpiredSkipped}.");
        silo.Log.Notice($"DB loaded from disk: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.000} seconds");
        return true;
    }

    /// <summary>
    /// A replica restarting from its own save takes the replication id and offset the file records,
    /// so it can ask its master for a partial resync (PSYNC with them) instead of a full one.
    /// </summary>
    private async Task RestoreReplicationHistoryAsync(RdbReadSummary summary)
    {
        var replId = summary.GetAux("repl-id");
        if (replId is not { Length: 40 } || !long.TryParse(summary.GetAux("repl-offset"), out var offset) || offset < 0)
        {
            return;
        }
        await silo.BacklogGrain.ResetAsync(replId, offset, summary.ReplStreamDb(silo.Config.Databases));
        silo.Log.Notice($"Restored replication ID {replId} and offset {offset} from the RDB file");
    }

    /// <summary>Loads the file into shards whose turns the caller holds (DEBUG RELOAD).</summary>
    public void LoadHeld(IReadOnlyList<ShardKeyspace> held)
    {
        var loader = new SnapshotLoader(silo.ShardMap, silo.Config.Databases, skipExpiredBeforeMs: NowMs());
        using (var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            loader.Read(file, silo.Config.DbFilename);
        }
        loader.InstallInto(held);
        LastLoadKeysLoaded = loader.Keys;
        LastLoadKeysExpired = loader.ExpiredSkipped;
    }

    private async Task BackgroundSaveAsync(CancellationToken cancellationToken)
    {
        silo.Log.Notice("Background saving started");
        var dirtyAtCut = 0L;
        var ok = false;
        try
        {
            (var snapshot, dirtyAtCut) = await CutAsync();
            ok = await WriteFileAsync(snapshot, dirtyAtCut, cancellationToken);
            if (ok)
            {
                Saves++;
                silo.Log.Notice("Background saving terminated with success");
            }
        }
        catch (OperationCanceledException)
        {
            silo.Log.Warning("Background saving terminated by signal 10");
            return;
        }
        finally
        {
            LastBackgroundSaveSeconds = (long)Stopwatch.GetElapsedTime(BackgroundSaveStarted).TotalSeconds;
        }
        LastBackgroundSaveOk = ok;
    }

    private async Task<bool> WriteFileAsync(KeyspaceSnapshot snapshot, long dirtyAtCut, CancellationToken cancellationToken)
    {
        var directory = silo.Config.Dir;
        // One name per save: a save cancelled midway must not collide with the one that follows it.
        var temp = Path.Combine(directory, $"temp-{Environment.ProcessId}-{Interlocked.Increment(ref _saveNumber)}.rdb");
        Current = snapshot;
        try
        {
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await snapshot.WriteAsync(file, writer => WriteAux(writer, silo, snapshot, aofBase: false), cancellationToken);
                file.Flush(flushToDisk: true);
            }
            lock (_renameGate)
            {
                cancellationToken.ThrowIfCancellationRequested();
                File.Move(temp, FilePath, overwrite: true);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            silo.Log.Warning($"Failed opening the temp RDB file {Path.GetFileName(temp)} (in server root dir {directory}) for saving: {error.Message}");
            TryDelete(temp);
            return false;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            Current = null;
        }
        silo.SubtractDirty(dirtyAtCut);
        LastSaveUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return true;
    }

    /// <summary>The AUX fields Redis 7.0 writes at the start of an RDB (aof-base 1 in an AOF's base file).</summary>
    internal static void WriteAux(RdbWriter writer, Silo silo, KeyspaceSnapshot snapshot, bool aofBase)
    {
        writer.WriteAux("redis-ver", System.Text.Encoding.ASCII.GetBytes(ServerInfo.RedisVersion));
        writer.WriteAux("redis-bits", IntPtr.Size * 8);
        writer.WriteAux("ctime", snapshot.CutUnixMs / 1000);
        writer.WriteAux("used-mem", GC.GetTotalMemory(false));
        writer.WriteAux("repl-stream-db", snapshot.ReplStreamDb);
        writer.WriteAux("repl-id", System.Text.Encoding.ASCII.GetBytes(snapshot.ReplId ?? silo.Backlog.ReplId));
        writer.WriteAux("repl-offset", snapshot.ReplOffset);
        writer.WriteAux("aof-base", aofBase ? 1 : 0);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private long NowMs() => silo.KeyspaceOptions.Clock.NowMs();
}
