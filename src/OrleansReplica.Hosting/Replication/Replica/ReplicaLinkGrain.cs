using System.Net.Sockets;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Runtime;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// The replica side of replication for one silo (Redis 7.0's): REPLICAOF starts following a master —
/// connect, handshake, PSYNC with the cached history (this silo's replid and offset), a full sync
/// (snapshot loaded aside, then installed at once) or a partial one, then the stream applied with a
/// REPLCONF ACK every second — and reconnects after a drop or a timeout (repl-timeout), continuing
/// partially when the master still has the bytes. REPLICAOF NO ONE promotes the silo, keeping its data.
/// </summary>
/// <remarks>
/// The grain's turns are the link's state changes: REPLICAOF, NO ONE, installing a snapshot, continuing,
/// applying a batch of the stream and the once-a-second cron, so none of them interleave and no command
/// of a master the silo left is applied after REPLICAOF returned. The attempts themselves (connecting,
/// receiving a snapshot) run outside the turns, in <see cref="ReplicaLinkRun"/>.
/// While a replica the silo never expires keys itself (KeyspaceOptions.ExpiresKeys is off) and its
/// backlog is not a sink of the propagation log: it is fed the master's bytes exactly as applied, so
/// this silo's own replicas see the top master's replid and offsets.
/// </remarks>
public sealed class ReplicaLinkGrain(Silo silo) : Grain, IReplicaLinkGrain
{
    private static readonly TimeSpan CronPeriod = TimeSpan.FromSeconds(1);
    private static readonly byte[] Newline = "\n"u8.ToArray();

    private IReplicaLinkGrain _self = null!;

    // After SYNC (a master without PSYNC) the offsets mean nothing: the next attempt asks PSYNC ? -1.
    private bool _historyUnknown;

    private ReplicaLinkStatus Status => silo.Replica;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _self = GrainFactory.GetGrain<IReplicaLinkGrain>(GetPrimaryKeyLong());
        // Once a second, as Redis's replicationCron: timeouts, REPLCONF ACK, and a newline while loading.
        RegisterGrainTimer(static (self, _) => self.CronTickAsync(), this, CronPeriod, CronPeriod);
        return Task.CompletedTask;
    }

    public Task StartAsync()
    {
        if (silo.Config.ReplicaOf is not { } master)
        {
            return Task.CompletedTask;
        }
        // At start the history is the one the loaded RDB recorded (PSYNC with its id and offset, for a
        // partial resync); without one, PSYNC ? -1, as a fresh redis-server asks.
        _historyUnknown = !silo.Backlog.Active;
        return ReplicaOfAsync(master.Host, master.Port);
    }

    public async Task<bool> ReplicaOfAsync(string host, int port)
    {
        if (Status.IsReplica && Status.MasterPort == port && string.Equals(Status.MasterHost, host, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        Status.Run?.Cancel();
        if (!Status.IsReplica)
        {
            silo.Log.Notice("Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
            await silo.BacklogGrain.FollowMasterAsync();
            silo.KeyspaceOptions.ExpiresKeys = false;
            Status.CachedReadOffset = silo.Backlog.Offset;
            Status.LinkDown(false);
            silo.Log.Role = 'S';
        }
        var run = new ReplicaLinkRun(silo, _self, host, port);
        Status.Follow(run);
        run.Start();
        silo.Config.SetReplicaOf(new ReplicaOfTarget(host, port));
        return true;
    }

    public async Task PromoteAsync()
    {
        if (!Status.IsReplica)
        {
            return;
        }
        var old = Status.Run;
        Status.BecomeMaster();
        var backlog = silo.Backlog;
        await silo.BacklogGrain.PromoteAsync();
        silo.Log.Notice($"Setting secondary replication ID to {backlog.ReplId2}, valid up to offset: {backlog.SecondReplOffset}. New replication ID is {backlog.ReplId}");
        silo.KeyspaceOptions.ExpiresKeys = true;
        _historyUnknown = false;
        silo.Log.Role = 'M';
        old?.Cancel();
        // Sub-replicas reconnect and learn the new id (they continue partially through replid2).
        silo.Replication.DisconnectAll();
        silo.Config.SetReplicaOf(null);
        silo.Log.Notice("MASTER MODE enabled");
    }

    public Task StopAsync()
    {
        // The caller waits for the run's completion outside this turn: its attempts may be waiting for one.
        Status.DetachRun()?.Cancel();
        return Task.CompletedTask;
    }

    public Task<(string ReplId, long Offset)> PsyncRequestAsync(ReplicaLinkRun run)
    {
        EnsureCurrent(run);
        // The cached master is this silo's own history: its data is the master's at that offset.
        var backlog = silo.Backlog;
        return Task.FromResult(_historyUnknown ? ("?", -1L) : (backlog.ReplId, backlog.Offset + 1));
    }

    public async Task InstallSnapshotAsync(ReplicaLinkRun run, SnapshotLoader loader, string replId, long offset, bool legacy)
    {
        EnsureCurrent(run);
        var log = silo.Log;
        log.Notice("MASTER <-> REPLICA sync: Flushing old data");
        // As Redis restarts the AOF after a full sync: the new data starts a new base.
        var aof = silo.Aof.Enabled;
        if (aof)
        {
            await silo.Aof.WaitForRewriteAsync();
            await silo.Aof.DisableAsync();
        }
        await loader.InstallAsync(silo.Grains);
        await silo.BacklogGrain.ResetAsync(replId, offset, loader.Summary?.ReplStreamDb(silo.Config.Databases) ?? 0);
        _historyUnknown = legacy;
        // This silo's replicas followed the old data: they must sync again.
        silo.Replication.DisconnectAll();
        run.Transfer?.DisposeTempFile(keepAsRdb: silo.Config.Save.Count > 0);
        if (aof && !silo.Aof.TryEnable())
        {
            log.Warning("Failed enabling the AOF after successful master synchronization!");
        }
        log.Notice($"MASTER <-> REPLICA sync: Finished with success ({loader.Keys} keys)");
    }

    public async Task ContinueAsync(ReplicaLinkRun run, string? replId)
    {
        EnsureCurrent(run);
        if (await silo.BacklogGrain.ContinueFromMasterAsync(replId))
        {
            silo.Log.Notice($"Master replication ID changed to {replId}");
            // Sub-replicas must learn the new id; they continue partially through replid2.
            silo.Replication.DisconnectAll();
        }
    }

    public ValueTask ApplyStreamAsync(ReplicaLinkRun run)
    {
        EnsureCurrent(run);
        return run.Applier!.ApplyBufferedAsync(run.StopToken);
    }

    /// <summary>A turn asked for by the attempts of a run that REPLICAOF (or shutdown) has already ended does nothing.</summary>
    private void EnsureCurrent(ReplicaLinkRun run)
    {
        if (run.Stopped || Status.Run != run)
        {
            throw new OperationCanceledException("The replication link moved on.");
        }
    }

    private async Task CronTickAsync()
    {
        if (Status.Run is not { Connection: { Aborted: false } connection } run)
        {
            return;
        }
        try
        {
            await CronTickAsync(run, connection);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The attempts notice the broken connection and reconnect.
        }
    }

    private async Task CronTickAsync(ReplicaLinkRun run, MasterConnection connection)
    {
        var timeout = silo.Config.ReplTimeout;
        var idle = ReplicaLinkStatus.SecondsSince(connection.LastIo);
        switch (run.State)
        {
            case ReplicaLinkState.Handshake when idle > timeout:
                silo.Log.Warning("Timeout connecting to the MASTER...");
                connection.Abort();
                break;
            case ReplicaLinkState.Transfer when run.Transfer is { PayloadReceived: true }:
                // Loading: tell the master we are alive.
                await connection.SendAsync(Newline, run.StopToken);
                break;
            case ReplicaLinkState.Transfer when idle > timeout:
                silo.Log.Warning("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
                connection.Abort();
                break;
            case ReplicaLinkState.Connected when idle > timeout:
                silo.Log.Warning("MASTER timeout: no data nor PING received...");
                connection.Abort();
                break;
            case ReplicaLinkState.Connected when run.Applier is { } applier:
                await applier.SendAckAsync(run.StopToken);
                break;
        }
    }
}
