using System.Diagnostics;
using System.Security.Cryptography;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Hosting.Persistence;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Hosting.Replication.Master;

/// <summary>
/// The master side of replication for one silo: the attached replicas, PSYNC's choice between a
/// partial and a full resync, full syncs (replicas asking within repl-diskless-sync-delay share one
/// snapshot), the PING and timeouts Redis's replicationCron handles, WAIT and min-replicas.
/// </summary>
public sealed class MasterReplication(Silo silo)
{
    private readonly Lock _gate = new();
    private readonly List<ReplicaSender> _replicas = [];
    private readonly List<ReplicaSender> _waitingFullSync = [];
    private readonly SemaphoreSlim _acknowledged = new(0);
    private Task _fullSync = Task.CompletedTask;
    private long _lastPing = Stopwatch.GetTimestamp();
    private long _syncFull;
    private long _syncPartialOk;
    private long _syncPartialErr;

    public long SyncFull => Volatile.Read(ref _syncFull);

    public long SyncPartialOk => Volatile.Read(ref _syncPartialOk);

    public long SyncPartialErr => Volatile.Read(ref _syncPartialErr);

    /// <summary>Replicas attached, in the order they came (INFO's slave0, slave1 ...).</summary>
    public IReadOnlyList<ReplicaSender> Replicas
    {
        get
        {
            lock (_gate)
            {
                return [.. _replicas];
            }
        }
    }

    private ReplicationBacklog Backlog => silo.Backlog;

    /// <summary>
    /// PSYNC &lt;replid&gt; &lt;offset&gt; (or SYNC): continues from the backlog when it can, else schedules a full
    /// resync. From here on the connection's output belongs to <paramref name="sender"/>.
    /// </summary>
    public async Task AttachAsync(ReplicaSender sender, string replId, long offset, bool legacySync)
    {
        lock (_gate)
        {
            _replicas.Add(sender);
        }
        sender.Acknowledged += OnAcknowledged;
        if (!legacySync && Backlog.CanContinue(replId, offset) && Backlog.OpenReader(offset) is { } reader)
        {
            Interlocked.Increment(ref _syncPartialOk);
            await sender.WriteLineAsync(sender.AcceptsPsync2 ? $"+CONTINUE {Backlog.ReplId}" : "+CONTINUE");
            silo.Log.Notice($"Partial resynchronization request from {sender.Session.Address} accepted. Sending {Backlog.Offset + 1 - offset} bytes of backlog starting from offset {offset}.");
            _ = sender.StreamAsync(reader);
            return;
        }
        if (!legacySync && replId != "?")
        {
            Interlocked.Increment(ref _syncPartialErr);
            silo.Log.Notice($"Partial resynchronization not accepted: Replication ID mismatch or offset out of range (Replica asked for '{replId}', offset {offset}; my replication IDs are '{Backlog.ReplId}' and '{Backlog.ReplId2}')");
        }
        else
        {
            silo.Log.Notice($"Full resync requested by replica {sender.Session.Address}");
        }
        Interlocked.Increment(ref _syncFull);
        lock (_gate)
        {
            _waitingFullSync.Add(sender);
            if (_fullSync.IsCompleted)
            {
                _fullSync = Task.Run(RunFullSyncAsync);
            }
        }
    }

    /// <summary>The replica's connection closed.</summary>
    public void Detach(ReplicaSender sender)
    {
        sender.Acknowledged -= OnAcknowledged;
        lock (_gate)
        {
            _replicas.Remove(sender);
            _waitingFullSync.Remove(sender);
        }
        sender.Close();
        silo.Log.Notice($"Connection with replica {sender.Ip}:{sender.ListeningPort} lost.");
    }

    /// <summary>Disconnects every replica (this silo becomes a replica, or stops).</summary>
    public void DisconnectAll()
    {
        foreach (var replica in Replicas)
        {
            replica.Close();
        }
    }

    /// <summary>Once a second: PING down the stream every repl-ping-replica-period, and drop replicas that stopped acknowledging.</summary>
    public void Cron()
    {
        var replicas = Replicas;
        if (replicas.Count == 0)
        {
            FreeIdleBacklog();
            return;
        }
        _noReplicasSince = 0;
        // A replica's stream is its master's, byte for byte: only a master adds PINGs to it.
        var period = silo.Config.GetNumber("repl-ping-replica-period");
        if (!silo.Replica.IsReplica && Stopwatch.GetElapsedTime(_lastPing).TotalSeconds >= period)
        {
            _lastPing = Stopwatch.GetTimestamp();
            Backlog.AppendPing();
        }
        var timeout = silo.Config.GetNumber("repl-timeout");
        foreach (var replica in replicas)
        {
            if (replica.State == ReplicaState.Online && replica.LagSeconds > timeout)
            {
                replica.Close($"Disconnecting timedout replica (streaming sync): {replica.Ip}:{replica.ListeningPort}");
                continue;
            }
            replica.CheckOutputLimit();
        }
    }

    /// <summary>repl-backlog-ttl: a master without replicas for that long frees its backlog (0: never).</summary>
    private void FreeIdleBacklog()
    {
        var ttl = silo.Config.GetNumber("repl-backlog-ttl");
        if (!Backlog.Active || silo.Replica.IsReplica || ttl == 0)
        {
            _noReplicasSince = 0;
            return;
        }
        if (_noReplicasSince == 0)
        {
            _noReplicasSince = Stopwatch.GetTimestamp();
            return;
        }
        if (Stopwatch.GetElapsedTime(_noReplicasSince).TotalSeconds > ttl)
        {
            silo.Propagation.RemoveSink(Backlog);
            Backlog.Deactivate();
            _noReplicasSince = 0;
            silo.Log.Notice($"Replication backlog freed after {ttl} seconds without connected replicas.");
        }
    }

    private long _noReplicasSince;

    /// <summary>Replicas online whose last acknowledgement is at most min-replicas-max-lag seconds old.</summary>
    public int GoodReplicas()
    {
        var maxLag = silo.Config.GetNumber("min-replicas-max-lag");
        return Replicas.Count(replica => replica.State == ReplicaState.Online && replica.LagSeconds <= maxLag);
    }

    /// <summary>
    /// WAIT: how many replicas acknowledged <paramref name="offset"/>, waiting for <paramref name="needed"/> of
    /// them at most <paramref name="timeout"/> (null: forever, or until <paramref name="abandoned"/> says the client is gone).
    /// </summary>
    public async Task<int> WaitForAcknowledgementsAsync(long offset, int needed, TimeSpan? timeout, Func<bool> abandoned)
    {
        var acknowledged = CountAcknowledged(offset);
        if (acknowledged >= needed)
        {
            return acknowledged;
        }
        Backlog.AppendGetAck();
        var deadline = timeout is { } limit ? Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        while (true)
        {
            acknowledged = CountAcknowledged(offset);
            var left = deadline == long.MaxValue ? TimeSpan.FromSeconds(1) : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (acknowledged >= needed || left <= TimeSpan.Zero || abandoned())
            {
                return acknowledged;
            }
            await _acknowledged.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    private int CountAcknowledged(long offset) => Replicas.Count(replica => replica.State == ReplicaState.Online && replica.AckOffset >= offset);

    private void OnAcknowledged()
    {
        if (_acknowledged.CurrentCount == 0)
        {
            _acknowledged.Release();
        }
    }

    /// <summary>One full sync: waits for more replicas (diskless delay), cuts one snapshot for all of them, sends it, then their streams.</summary>
    private async Task RunFullSyncAsync()
    {
        var diskless = silo.Config.GetNumber("repl-diskless-sync") != 0;
        if (diskless)
        {
            var delay = TimeSpan.FromSeconds(silo.Config.GetNumber("repl-diskless-sync-delay"));
            var maxReplicas = silo.Config.GetNumber("repl-diskless-sync-max-replicas");
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < delay && (maxReplicas == 0 || WaitingCount() < maxReplicas))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        }
        ReplicaSender[] batch;
        lock (_gate)
        {
            batch = [.. _waitingFullSync.Where(static replica => !replica.Closed)];
            _waitingFullSync.Clear();
        }
        if (batch.Length == 0)
        {
            return;
        }
        diskless &= batch.All(static replica => replica.AcceptsEofTransfer);
        silo.Log.Notice($"Starting BGSAVE for SYNC with target: {(diskless ? "replicas sockets" : "disk")}");

        var readers = new ReplicationReader[batch.Length];
        var offset = 0L;
        var streamDb = 0;
        var format = SnapshotFormat.Rdb(new RdbWriterOptions { Compression = silo.Config.RdbCompression, Checksum = silo.Config.RdbChecksum });
        var snapshot = await KeyspaceSnapshot.TakeAsync(silo.Grains, silo.ShardMap.ShardCount, format, silo.KeyspaceOptions.Clock.NowMs(), () =>
        {
            // At the cut no write is in flight: the stream each replica gets starts exactly after the snapshot.
            if (!Backlog.Active)
            {
                Backlog.Activate();
                silo.Propagation.AddSink(Backlog);
            }
            Backlog.ForgetSelectedDatabase();
            offset = Backlog.Offset;
            streamDb = Backlog.StreamDb;
            for (var i = 0; i < batch.Length; i++)
            {
                readers[i] = Backlog.OpenReader(offset + 1)!;
            }
        });
        snapshot.ReplId = Backlog.ReplId;
        snapshot.ReplOffset = offset;
        snapshot.ReplStreamDb = streamDb;
        snapshot.WalkShardsInParallel = true;

        var live = new List<(ReplicaSender Replica, ReplicationReader Reader)>();
        for (var i = 0; i < batch.Length; i++)
        {
            try
            {
                await batch[i].WriteLineAsync($"+FULLRESYNC {Backlog.ReplId} {offset}");
                batch[i].State = ReplicaState.SendBulk;
                live.Add((batch[i], readers[i]));
            }
            catch (OperationCanceledException)
            {
                readers[i].Dispose();
            }
        }
        try
        {
            if (diskless)
            {
                await SendDisklessAsync(snapshot, live);
            }
            else
            {
                await SendFromDiskAsync(snapshot, live);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            // The replicas reconnect and ask again (a FLUSHALL cancels a snapshot of data now gone).
            silo.Log.Warning($"Full sync failed: {error.Message}");
            foreach (var (replica, reader) in live)
            {
                reader.Dispose();
                replica.Close();
            }
            return;
        }
        foreach (var (replica, reader) in live)
        {
            if (replica.Closed)
            {
                reader.Dispose();
                continue;
            }
            silo.Log.Notice($"Synchronization with replica {replica.Ip}:{replica.ListeningPort} succeeded");
            _ = replica.StreamAsync(reader, afterFirstAck: diskless);
        }
        lock (_gate)
        {
            if (_waitingFullSync.Count > 0 && _fullSync.IsCompleted)
            {
                _fullSync = Task.Run(RunFullSyncAsync);
            }
        }
    }

    private int WaitingCount()
    {
        lock (_gate)
        {
            return _waitingFullSync.Count;
        }
    }

    /// <summary>The diskless form: $EOF:&lt;mark&gt;, the RDB written straight to every replica, then the mark again.</summary>
    private async Task SendDisklessAsync(KeyspaceSnapshot snapshot, List<(ReplicaSender Replica, ReplicationReader Reader)> live)
    {
        var mark = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var replicas = live.Select(static pair => pair.Replica).ToArray();
        await ReplicaFanOutStream.WriteToAllAsync(replicas, System.Text.Encoding.ASCII.GetBytes($"$EOF:{mark}\r\n"));
        await using (var output = new ReplicaFanOutStream(replicas))
        {
            await snapshot.WriteAsync(output, writer => RdbPersistence.WriteAux(writer, silo, snapshot, aofBase: false));
        }
        await ReplicaFanOutStream.WriteToAllAsync(replicas, System.Text.Encoding.ASCII.GetBytes(mark));
    }

    /// <summary>The disk form: the RDB saved to dir/dbfilename, then sent as $&lt;length&gt; and the file.</summary>
    private async Task SendFromDiskAsync(KeyspaceSnapshot snapshot, List<(ReplicaSender Replica, ReplicationReader Reader)> live)
    {
        if (!await silo.Rdb.SaveSnapshotAsync(snapshot))
        {
            throw new IOException("the RDB for the full sync could not be saved");
        }
        var replicas = live.Select(static pair => pair.Replica).ToArray();
        await using var file = new FileStream(silo.Rdb.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await ReplicaFanOutStream.WriteToAllAsync(replicas, System.Text.Encoding.ASCII.GetBytes($"${file.Length}\r\n"));
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await file.ReadAsync(buffer)) > 0)
        {
            await ReplicaFanOutStream.WriteToAllAsync(replicas, buffer.AsMemory(0, read));
        }
    }
}
