using System.Diagnostics;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Aof;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Hosting.Persistence;

/// <summary>
/// AOF persistence of one silo, as Redis 7.0's multi-part AOF: loaded at start, appended to by every
/// propagated write, fsynced per appendfsync, rewritten by BGREWRITEAOF from a snapshot cut (no fork)
/// while writes go on into a fresh incremental file.
/// </summary>
public sealed class AofPersistence(Silo silo) : IAsyncDisposable
{
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(10);

    private readonly Lock _gate = new();
    private AofDirectory? _directory;
    private AofWriter? _writer;
    private Task? _rewrite;
    private CancellationTokenSource? _loopStop;
    private Task _loop = Task.CompletedTask;
    private int _rewriteId;

    /// <summary>True while writes are appended to an AOF (appendonly yes).</summary>
    public bool Enabled => _writer is not null;

    public bool RewriteInProgress => _rewrite is { IsCompleted: false };

    public bool LastRewriteOk { get; private set; } = true;

    /// <summary>Duration of the last rewrite in seconds, -1 before the first.</summary>
    public long LastRewriteSeconds { get; private set; } = -1;

    public long RewriteStarted { get; private set; }

    public long Rewrites { get; private set; }

    /// <summary>Size of the base file at the last rewrite or load (aof_base_size).</summary>
    public long BaseSize { get; private set; }

    /// <summary>Base plus incremental files (aof_current_size).</summary>
    public long CurrentSize => BaseSize + _incrementalsBefore + (_writer?.CurrentFileSize ?? 0);

    public long BufferLength => _writer?.BufferLength ?? 0;

    private long _incrementalsBefore;

    private AofDirectory Directory => _directory ??= new AofDirectory(silo.Config.Dir, silo.Config.AppendDirname, silo.Config.AppendFilename);

    private bool SyncsEveryWrite => silo.Config.AppendFsync == "always";

    /// <summary>
    /// At start with appendonly yes: loads the AOF (or, when there is none yet, dump.rdb) and opens the
    /// incremental file; creates the base and incremental files when missing. Before the silo listens.
    /// </summary>
    public async Task StartAsync()
    {
        var directory = Directory;
        directory.UpgradeLegacyAof();
        if (directory.Load() && directory.Manifest.LoadOrder.Count > 0)
        {
            var started = Stopwatch.GetTimestamp();
            await new AofLoader(silo).LoadAsync(directory);
            silo.Log.Notice($"DB loaded from append only file: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.000} seconds");
        }
        else
        {
            await silo.Rdb.LoadAsync();
        }
        if (directory.Manifest.Base is null)
        {
            silo.Log.Notice($"Creating AOF base file {AofManifest.BaseFileName(directory.AppendFileName, directory.Manifest.CurrentBaseSequence + 1, silo.Config.AofUseRdbPreamble)} on server start");
            await WriteBaseAsync(keepCurrentIncremental: false, atCut: null);
        }
        var incremental = directory.Manifest.Incrementals.Count > 0 ? directory.Manifest.Incrementals[^1] : null;
        if (incremental is null)
        {
            incremental = directory.CreateIncremental();
            silo.Log.Notice($"Creating AOF incr file {incremental.FileName} on server start");
        }
        BaseSize = FileSize(directory.PathOf(directory.Manifest.Base!));
        _incrementalsBefore = directory.Manifest.Incrementals.Take(directory.Manifest.Incrementals.Count - 1).Sum(entry => FileSize(directory.PathOf(entry)));
        Open(new AofWriter(OpenForAppend(directory.PathOf(incremental))));
    }

    /// <summary>CONFIG SET appendonly yes: a rewrite creates the files; writes are appended from its cut on. False while another rewrite runs.</summary>
    public bool TryEnable()
    {
        lock (_gate)
        {
            if (Enabled)
            {
                return true;
            }
            if (RewriteInProgress)
            {
                return false;
            }
            StartRewrite(enable: true);
            return true;
        }
    }

    /// <summary>CONFIG SET appendonly no: stops appending, after writing and syncing what was appended.</summary>
    public async Task DisableAsync()
    {
        var writer = _writer;
        if (writer is null)
        {
            return;
        }
        silo.Propagation.RemoveSink(writer);
        _writer = null;
        await StopLoopAsync();
        await writer.FlushAsync(sync: true);
        writer.Dispose();
    }

    /// <summary>BGREWRITEAOF: false when a rewrite is already running.</summary>
    public bool TryStartRewrite()
    {
        lock (_gate)
        {
            if (RewriteInProgress)
            {
                return false;
            }
            StartRewrite(enable: false);
            return true;
        }
    }

    /// <summary>Waits for a running rewrite to finish, whatever its outcome.</summary>
    public async Task WaitForRewriteAsync()
    {
        if (_rewrite is { } running)
        {
            await running;
        }
    }

    /// <summary>Before replying to a batch of commands that wrote: with appendfsync always, their writes are on disk first.</summary>
    public ValueTask AfterWritesAsync() =>
        _writer is { } writer && SyncsEveryWrite ? writer.FlushAsync(sync: true) : default;

    public async ValueTask DisposeAsync()
    {
        await WaitForRewriteAsync();
        await DisableAsync();
    }

    private void StartRewrite(bool enable)
    {
        RewriteStarted = Stopwatch.GetTimestamp();
        _rewrite = Task.Run(() => RewriteAsync(enable));
    }

    private async Task RewriteAsync(bool enable)
    {
        silo.Log.Notice("Background append only file rewriting started");
        var ok = false;
        try
        {
            var directory = Directory;
            // The new incremental file exists (empty, listed last) before the cut; from the cut on, writes go there.
            FileStream? next = null;
            if (_writer is not null || enable)
            {
                var incremental = directory.CreateIncremental();
                next = OpenForAppend(directory.PathOf(incremental));
            }
            var writer = _writer;
            await WriteBaseAsync(keepCurrentIncremental: next is not null, atCut: () =>
            {
                if (writer is not null)
                {
                    writer.StartNextFile(next!);
                }
                else if (next is not null)
                {
                    Open(new AofWriter(next));
                }
            });
            _incrementalsBefore = 0;
            ok = true;
            Rewrites++;
            silo.Log.Notice("Background AOF rewrite terminated with success");
            silo.Log.Notice("Background AOF rewrite finished successfully");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or AofManifestException)
        {
            silo.Log.Warning($"Background AOF rewrite failed: {error.Message}");
        }
        finally
        {
            LastRewriteSeconds = (long)Stopwatch.GetElapsedTime(RewriteStarted).TotalSeconds;
            LastRewriteOk = ok;
        }
    }

    /// <summary>Writes a snapshot as the next base (RDB preamble or commands) and installs it in the manifest.</summary>
    private async Task WriteBaseAsync(bool keepCurrentIncremental, Action? atCut)
    {
        var directory = Directory;
        var preamble = silo.Config.AofUseRdbPreamble;
        var format = preamble
            ? SnapshotFormat.Rdb(new RdbWriterOptions { Compression = silo.Config.RdbCompression, Checksum = silo.Config.RdbChecksum })
            : SnapshotFormat.Commands;
        var snapshot = await KeyspaceSnapshot.TakeAsync(silo.Grains, silo.ShardMap.ShardCount, format, silo.KeyspaceOptions.Clock.NowMs(), atCut);
        var temp = directory.RewriteTempPath(Environment.ProcessId * 100 + Interlocked.Increment(ref _rewriteId) % 100);
        try
        {
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await snapshot.WriteAsync(file, writer => RdbPersistence.WriteAux(writer, silo, snapshot, aofBase: true));
                file.Flush(flushToDisk: true);
            }
            var installed = directory.InstallBase(temp, preamble, keepCurrentIncremental);
            BaseSize = FileSize(directory.PathOf(installed));
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private void Open(AofWriter writer)
    {
        _writer = writer;
        silo.Propagation.AddSink(writer);
        _loopStop = new CancellationTokenSource();
        _loop = RunWriterLoopAsync(writer, _loopStop.Token);
    }

    /// <summary>Writes appended commands every few milliseconds; fsyncs once a second (everysec) or each time (always).</summary>
    private async Task RunWriterLoopAsync(AofWriter writer, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(WriteInterval);
        var lastSync = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var policy = silo.Config.AppendFsync;
                var sync = policy == "always" || (policy == "everysec" && Stopwatch.GetElapsedTime(lastSync) >= TimeSpan.FromSeconds(1));
                if (writer.BufferLength == 0 && !(sync && writer.HasUnsyncedWrites))
                {
                    continue;
                }
                await writer.FlushAsync(sync);
                if (sync)
                {
                    lastSync = Stopwatch.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException error)
        {
            silo.Log.Warning($"Error writing to the AOF file: {error.Message}");
        }
    }

    private async Task StopLoopAsync()
    {
        _loopStop?.Cancel();
        await _loop;
        _loopStop?.Dispose();
        _loopStop = null;
    }

    private static FileStream OpenForAppend(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
