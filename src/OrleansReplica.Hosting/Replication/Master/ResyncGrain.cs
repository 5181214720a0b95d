using System.Security.Cryptography;
using System.Text;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Hosting.Persistence;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.Runtime;

namespace OrleansReplica.Hosting.Replication.Master;

/// <summary>
/// One full sync of a silo: the replicas that ask within repl-diskless-sync-delay share one
/// point-in-time snapshot of the keyspace at offset X, sent diskless or through dump.rdb, after which
/// each replica's stream starts at X + 1.
/// </summary>
/// <remarks>
/// The window is the pause between turns, so a join during it is answered at once. The cut and the
/// transfer are one long turn: joins queued behind it find the snapshot cut and go to the next sync.
/// </remarks>
public sealed class ResyncGrain(Silo silo) : Grain, IResyncGrain
{
    private readonly List<ReplicaSender> _joined = [];
    private IDisposable? _window;
    private bool _diskless;
    private long _maxReplicas;
    private bool _cut;

    public async ValueTask<bool> JoinAsync(ReplicaSender replica)
    {
        if (_cut)
        {
            return false;
        }
        if (GetPrimaryKeyLong() != silo.Replication.ResyncKey)
        {
            // A call that reaches this key after its sync ended activates it afresh: that sync is over.
            DeactivateOnIdle();
            return false;
        }
        _joined.Add(replica);
        if (_joined.Count == 1)
        {
            OpenWindow();
        }
        if (_window is null || (_maxReplicas > 0 && _joined.Count(static joined => !joined.Closed) >= _maxReplicas))
        {
            await SyncAsync();
        }
        return true;
    }

    /// <summary>The first replica opens the window; a sync through the disk, or without a delay, starts at once.</summary>
    private void OpenWindow()
    {
        _diskless = silo.Config.GetNumber("repl-diskless-sync") != 0;
        if (!_diskless)
        {
            return;
        }
        _maxReplicas = silo.Config.GetNumber("repl-diskless-sync-max-replicas");
        var delay = TimeSpan.FromSeconds(silo.Config.GetNumber("repl-diskless-sync-delay"));
        if (delay > TimeSpan.Zero)
        {
            _window = RegisterGrainTimer(static (self, _) => self.SyncAsync(), this, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Closes the window, cuts and sends the snapshot, then hands the silo on to its next sync.</summary>
    private async Task SyncAsync()
    {
        if (_cut)
        {
            return;
        }
        _cut = true;
        _window?.Dispose();
        try
        {
            await SendSnapshotAsync();
        }
        finally
        {
            // Only now may the next sync begin: one sync at a time, as in Redis (they would share dump.rdb).
            silo.Replication.EndResync(GetPrimaryKeyLong());
            DeactivateOnIdle();
        }
    }

    /// <summary>Cuts one snapshot for every replica still connected, sends it, then starts their streams.</summary>
    private async Task SendSnapshotAsync()
    {
        ReplicaSender[] batch = [.. _joined.Where(static replica => !replica.Closed)];
        if (batch.Length == 0)
        {
            return;
        }
        var diskless = _diskless && batch.All(static replica => replica.AcceptsEofTransfer);
        silo.Log.Notice($"Starting BGSAVE for SYNC with target: {(diskless ? "replicas sockets" : "disk")}");

        // The first replica creates the backlog (and a new history), so writes from now on are kept.
        await silo.BacklogGrain.ActivateAsync();
        ReplicationCut cut = null!;
        var format = SnapshotFormat.Rdb(new RdbWriterOptions { Compression = silo.Config.RdbCompression, Checksum = silo.Config.RdbChecksum });
        var snapshot = await KeyspaceSnapshot.TakeAsync(silo.Grains, silo.ShardMap.ShardCount, format, silo.KeyspaceOptions.Clock.NowMs(),
            () => cut = silo.ReplicationStream.SubscribeAtCut(batch));
        snapshot.ReplId = cut.ReplId;
        snapshot.ReplOffset = cut.Offset;
        snapshot.ReplStreamDb = cut.StreamDb;
        snapshot.WalkShardsInParallel = true;

        var live = new List<(ReplicaSender Replica, ReplicationSubscription Subscription)>();
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i].Subscribed(cut.Subscriptions[i]);
            try
            {
                await batch[i].WriteLineAsync($"+FULLRESYNC {cut.ReplId} {cut.Offset}");
                batch[i].State = ReplicaState.SendBulk;
                live.Add((batch[i], cut.Subscriptions[i]));
            }
            catch (OperationCanceledException)
            {
                await cut.Subscriptions[i].UnsubscribeAsync();
            }
        }
        ReplicaSender[] replicas = [.. live.Select(static pair => pair.Replica)];
        try
        {
            // On the thread pool the shards are walked in parallel; on this activation they would take turns.
            await Task.Run(() => diskless ? SendDisklessAsync(snapshot, replicas) : SendFromDiskAsync(snapshot, replicas));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            // The replicas reconnect and ask again (a FLUSHALL cancels a snapshot of data now gone).
            silo.Log.Warning($"Full sync failed: {error.Message}");
            foreach (var (replica, _) in live)
            {
                replica.Close();
            }
            return;
        }
        foreach (var (replica, subscription) in live)
        {
            if (replica.Closed)
            {
                await subscription.UnsubscribeAsync();
                continue;
            }
            silo.Log.Notice($"Synchronization with replica {replica.Ip}:{replica.ListeningPort} succeeded");
            replica.StartStream(afterFirstAck: diskless);
        }
    }

    /// <summary>The diskless form: $EOF:&lt;mark&gt;, the RDB written straight to every replica, then the mark again.</summary>
    private async Task SendDisklessAsync(KeyspaceSnapshot snapshot, ReplicaSender[] replicas)
    {
        var mark = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        await ReplicaFanOutStream.WriteToAllAsync(replicas, Encoding.ASCII.GetBytes($"$EOF:{mark}\r\n"));
        await using (var output = new ReplicaFanOutStream(replicas))
        {
            await snapshot.WriteAsync(output, writer => RdbPersistence.WriteAux(writer, silo, snapshot, aofBase: false));
        }
        await ReplicaFanOutStream.WriteToAllAsync(replicas, Encoding.ASCII.GetBytes(mark));
    }

    /// <summary>The disk form: the RDB saved to dir/dbfilename, then sent as $&lt;length&gt; and the file.</summary>
    private async Task SendFromDiskAsync(KeyspaceSnapshot snapshot, ReplicaSender[] replicas)
    {
        if (!await silo.Rdb.SaveSnapshotAsync(snapshot))
        {
            throw new IOException("the RDB for the full sync could not be saved");
        }
        await using var file = new FileStream(silo.Rdb.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await ReplicaFanOutStream.WriteToAllAsync(replicas, Encoding.ASCII.GetBytes($"${file.Length}\r\n"));
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await file.ReadAsync(buffer)) > 0)
        {
            await ReplicaFanOutStream.WriteToAllAsync(replicas, buffer.AsMemory(0, read));
        }
    }
}
