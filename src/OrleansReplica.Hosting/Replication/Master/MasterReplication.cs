using System.Diagnostics;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Replication.Master;

/// <summary>
/// The master side of replication for one silo: the attached replicas, PSYNC's choice between a
/// partial and a full resync (each full sync is a <see cref="IResyncGrain"/>), the PING and timeouts
/// Redis's replicationCron handles, WAIT and min-replicas.
/// </summary>
public sealed class MasterReplication(Silo silo)
{
    private readonly Lock _gate = new();
    private readonly List<ReplicaSender> _replicas = [];
    private readonly SemaphoreSlim _acknowledged = new(0);
    private long _resyncKey;
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

    /// <summary>The key of the full sync replicas join now; it moves on when that sync has ended.</summary>
    internal long ResyncKey => Volatile.Read(ref _resyncKey);

    /// <summary>The full sync <paramref name="key"/> has ended: replicas asking from now on join the next one.</summary>
    internal void EndResync(long key) => Interlocked.CompareExchange(ref _resyncKey, key + 1, key);

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
        if (!legacySync && replId != "?" && await silo.BacklogGrain.TryContinueAsync(replId, offset, sender) is { } subscription)
        {
            sender.Subscribed(subscription);
            Interlocked.Increment(ref _syncPartialOk);
            await sender.WriteLineAsync(sender.AcceptsPsync2 ? $"+CONTINUE {Backlog.ReplId}" : "+CONTINUE");
            silo.Log.Notice($"Partial resynchronization request from {sender.Session.Address} accepted. Sending {Backlog.Offset + 1 - offset} bytes of backlog starting from offset {offset}.");
            sender.StartStream();
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
        // Off the connection's loop: a join may wait for a running sync to end, and the first join may run its sync.
        _ = Task.Run(() => JoinFullSyncAsync(sender));
    }

    /// <summary>Joins the current full sync, or the next one when its snapshot has already been cut.</summary>
    private async Task JoinFullSyncAsync(ReplicaSender sender)
    {
        while (!sender.Closed)
        {
            if (await silo.Grains.GetGrain<IResyncGrain>(ResyncKey).JoinAsync(sender))
            {
                return;
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
    public async Task CronAsync()
    {
        var replicas = Replicas;
        if (replicas.Count == 0)
        {
            await FreeIdleBacklogAsync();
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
    private async Task FreeIdleBacklogAsync()
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
            await silo.BacklogGrain.FreeAsync();
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
}
