using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// The replica side of replication for one silo (Redis 7.0's): REPLICAOF starts following a master —
/// connect, handshake, PSYNC with the cached history (this silo's replid and offset), a full sync
/// (snapshot loaded aside, then installed at once) or a partial one, then the stream applied with a
/// REPLCONF ACK every second — and reconnects after a drop or a timeout (repl-timeout), continuing
/// partially when the master still has the bytes. REPLICAOF NO ONE promotes the silo, keeping its data.
/// </summary>
/// <remarks>
/// While a replica the silo never expires keys itself (KeyspaceOptions.ExpiresKeys is off) and its
/// backlog is not a sink of the propagation log: it is fed the master's bytes exactly as applied, so
/// this silo's own replicas see the top master's replid and offsets.
/// </remarks>
public sealed class ReplicaLink : IAsyncDisposable
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    private readonly Silo _silo;
    private readonly Lock _gate = new();

    // Held while a batch of the stream or a snapshot is applied, and while REPLICAOF switches state:
    // no command of an old master is applied once REPLICAOF returned.
    private readonly SemaphoreSlim _applyGate = new(1, 1);

    private volatile LinkRun? _run;
    private volatile bool _isReplica;
    private volatile string _masterHost = "";
    private volatile int _masterPort;
    private long _downSince;
    private long _cachedReadOffset;

    // After SYNC (a master without PSYNC) the offsets mean nothing: the next attempt asks PSYNC ? -1.
    private bool _historyUnknown;

    public ReplicaLink(Silo silo)
    {
        _silo = silo;
    }

    /// <summary>True from REPLICAOF host port (or the replicaof setting) until REPLICAOF NO ONE.</summary>
    public bool IsReplica => _isReplica;

    public string MasterHost => _masterHost;

    public int MasterPort => _masterPort;

    /// <summary>master_link_status:up — the stream is being applied.</summary>
    public bool LinkUp => _run is { State: ReplicaLinkState.Connected };

    public ReplicaLinkState State => _isReplica ? _run?.State ?? ReplicaLinkState.Connect : ReplicaLinkState.None;

    /// <summary>The master client (the connection the stream comes on), while there is one.</summary>
    public ClientSession? MasterSession => _run?.Applier?.Session;

    /// <summary>At start: follows the master of the <c>replicaof</c> setting, if any (after the data was loaded and the port is known).</summary>
    public async Task StartAsync()
    {
        if (_silo.Config.ReplicaOf is { } master)
        {
            // At start the history is the one the loaded RDB recorded (PSYNC with its id and offset,
            // for a partial resync); without one, PSYNC ? -1, as a fresh redis-server asks.
            _historyUnknown = !_silo.Backlog.Active;
            await ReplicaOfAsync(master.Host, master.Port, mayWait: true);
        }
    }

    /// <summary>
    /// REPLICAOF host port: follows that master (data is replaced by its own at the full sync). False
    /// when already following it. <paramref name="mayWait"/> is false when the caller holds shard turns
    /// (inside EXEC): an in-flight command of the old master cannot be waited for then.
    /// </summary>
    public async Task<bool> ReplicaOfAsync(string host, int port, bool mayWait = true)
    {
        var held = await EnterAsync(mayWait);
        try
        {
            lock (_gate)
            {
                if (_isReplica && _masterPort == port && string.Equals(_masterHost, host, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                _run?.Cancel();
                if (!_isReplica)
                {
                    _silo.Log.Notice("Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
                    // The backlog is now fed the master's bytes, not this silo's own propagated writes.
                    _silo.Propagation.RemoveSink(_silo.Backlog);
                    _silo.KeyspaceOptions.ExpiresKeys = false;
                    _cachedReadOffset = _silo.Backlog.Offset;
                    Volatile.Write(ref _downSince, 0);
                    _silo.Log.Role = 'S';
                    _isReplica = true;
                }
                _masterHost = host;
                _masterPort = port;
                var run = new LinkRun(host, port);
                _run = run;
                run.Completion = Task.Run(() => RunAsync(run));
            }
            _silo.Config.SetReplicaOf(new ReplicaOfTarget(host, port));
            return true;
        }
        finally
        {
            Exit(held);
        }
    }

    /// <summary>REPLICAOF NO ONE: stops following, keeps the data, and starts a new history (the old id stays valid as replid2).</summary>
    public async Task PromoteAsync(bool mayWait = true)
    {
        var held = await EnterAsync(mayWait);
        try
        {
            LinkRun? old;
            lock (_gate)
            {
                if (!_isReplica)
                {
                    return;
                }
                old = _run;
                _run = null;
                _isReplica = false;
                _masterHost = "";
                _masterPort = 0;
                var backlog = _silo.Backlog;
                backlog.ShiftReplId();
                _silo.Log.Notice($"Setting secondary replication ID to {backlog.ReplId2}, valid up to offset: {backlog.SecondReplOffset}. New replication ID is {backlog.ReplId}");
                // A master's own writes feed its backlog again (once one exists).
                _silo.Propagation.RemoveSink(backlog);
                if (backlog.Active)
                {
                    _silo.Propagation.AddSink(backlog);
                }
                _silo.KeyspaceOptions.ExpiresKeys = true;
                _historyUnknown = false;
                _silo.Log.Role = 'M';
            }
            old?.Cancel();
            // Sub-replicas reconnect and learn the new id (they continue partially through replid2).
            _silo.Replication.DisconnectAll();
            _silo.Config.SetReplicaOf(null);
            _silo.Log.Notice("MASTER MODE enabled");
        }
        finally
        {
            Exit(held);
        }
    }

    /// <summary>Silo shutdown: drops the link (the silo stays configured as a replica).</summary>
    public async Task StopAsync()
    {
        LinkRun? run;
        lock (_gate)
        {
            run = _run;
            _run = null;
        }
        if (run is null)
        {
            return;
        }
        run.Cancel();
        try
        {
            await run.Completion;
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>The replica fields of INFO replication, in Redis 7.0's order (after role:slave).</summary>
    public IReadOnlyList<(string Name, string Value)> InfoFields()
    {
        var run = _run;
        var state = run?.State ?? ReplicaLinkState.Connect;
        var applier = run?.Applier;
        var connection = run?.Connection;
        var fields = new List<(string Name, string Value)>
        {
            ("master_host", MasterHost),
            ("master_port", Int(MasterPort)),
            ("master_link_status", state == ReplicaLinkState.Connected ? "up" : "down"),
            ("master_last_io_seconds_ago", applier is not null && connection is not null ? Int(SecondsSince(connection.LastIo)) : "-1"),
            ("master_sync_in_progress", state == ReplicaLinkState.Transfer ? "1" : "0"),
            ("slave_read_repl_offset", Int(applier?.ReadOffset ?? Volatile.Read(ref _cachedReadOffset))),
            ("slave_repl_offset", Int(_silo.Backlog.Offset)),
        };
        if (state == ReplicaLinkState.Transfer && run?.Transfer is { } transfer)
        {
            var total = transfer.TotalBytes;
            var read = transfer.ReadBytes;
            var percent = total != 0 ? (double)read / total * 100 : 0;
            fields.Add(("master_sync_total_bytes", Int(total)));
            fields.Add(("master_sync_read_bytes", Int(read)));
            fields.Add(("master_sync_left_bytes", Int(total - read)));
            fields.Add(("master_sync_perc", percent.ToString("F2", CultureInfo.InvariantCulture)));
            fields.Add(("master_sync_last_io_seconds_ago", Int(SecondsSince(transfer.LastIo))));
        }
        if (state != ReplicaLinkState.Connected)
        {
            var downSince = Volatile.Read(ref _downSince);
            fields.Add(("master_link_down_since_seconds", downSince == 0 ? "-1" : Int(SecondsSince(downSince))));
        }
        var config = _silo.Config;
        fields.Add(("slave_priority", Int(config.ReplicaPriority)));
        fields.Add(("slave_read_only", config.ReplicaReadOnly ? "1" : "0"));
        fields.Add(("replica_announced", config.ReplicaAnnounced ? "1" : "0"));
        return fields;
    }

    /// <summary>ROLE on a replica: "slave", master host, master port, link state, offset applied (-1 without a master client).</summary>
    public object[] RoleReply()
    {
        var run = _run;
        var state = State switch
        {
            ReplicaLinkState.Connect => "connect",
            ReplicaLinkState.Connecting => "connecting",
            ReplicaLinkState.Handshake => "handshake",
            ReplicaLinkState.Transfer => "sync",
            ReplicaLinkState.Connected => "connected",
            _ => "none",
        };
        return ["slave", MasterHost, (long)MasterPort, state, run?.Applier is null ? -1L : _silo.Backlog.Offset];
    }

    private async Task<bool> EnterAsync(bool mayWait)
    {
        if (mayWait)
        {
            await _applyGate.WaitAsync();
            return true;
        }
        return _applyGate.Wait(0);
    }

    private void Exit(bool held)
    {
        if (held)
        {
            _applyGate.Release();
        }
    }

    /// <summary>Connects, syncs and applies the stream; after a failure or a drop, tries again a second later.</summary>
    private async Task RunAsync(LinkRun run)
    {
        var stop = run.Stop.Token;
        var cron = RunCronAsync(run);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await SyncAsync(run, stop);
                }
                catch (Exception error) when (!stop.IsCancellationRequested)
                {
                    // A connection closed on purpose (timeout, CLIENT KILL) was reported by whoever closed it.
                    if (run.Connection is not { Aborted: true })
                    {
                        ReportFailure(run, error);
                    }
                }
                catch (Exception)
                {
                    // Stopped (REPLICAOF, shutdown): the failure is the cancellation itself.
                }
                finally
                {
                    EndConnection(run);
                }
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            run.Cancel();
            await cron;
        }
    }

    private async Task SyncAsync(LinkRun run, CancellationToken stop)
    {
        var log = _silo.Log;
        var config = _silo.Config;
        run.State = ReplicaLinkState.Connecting;
        log.Notice($"Connecting to MASTER {run.Host}:{run.Port}");
        log.Notice("MASTER <-> REPLICA sync started");
        var connection = new MasterConnection(await _silo.ReplicationTransport.ConnectAsync(run.Host, run.Port, TimeSpan.FromSeconds(config.ReplTimeout), stop));
        run.Connection = connection;
        if (stop.IsCancellationRequested)
        {
            return;
        }
        log.Notice("Non blocking connect for SYNC fired the event.");
        run.State = ReplicaLinkState.Handshake;
        // The cached master is this silo's own history: its data is the master's at that offset.
        var (psyncId, psyncOffset) = _historyUnknown ? ("?", -1L) : (_silo.Backlog.ReplId, _silo.Backlog.Offset + 1);
        var settings = new HandshakeSettings(
            config.MasterUser,
            config.MasterAuth,
            config.ReplicaAnnouncePort != 0 ? config.ReplicaAnnouncePort : _silo.Port,
            config.ReplicaAnnounceIp,
            psyncId,
            psyncOffset);
        var reply = await MasterHandshake.RunAsync(connection, settings, log, stop);
        var fullSync = reply.Outcome != PsyncOutcome.Continue;
        switch (reply.Outcome)
        {
            case PsyncOutcome.FullResync:
                await FullSyncAsync(run, connection, reply.ReplId!, reply.Offset, legacy: false, stop);
                break;
            case PsyncOutcome.NotSupported:
                log.Notice("Retrying with SYNC...");
                await connection.SendAsync(MasterHandshake.Command("SYNC"), stop);
                await FullSyncAsync(run, connection, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)), 0, legacy: true, stop);
                break;
            default:
                await ContinueAsync(reply.ReplId, stop);
                log.Notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
                break;
        }

        var applier = new MasterStreamApplier(_silo, connection, _applyGate);
        connection.Touch();
        run.Applier = applier;
        run.State = ReplicaLinkState.Connected;
        Volatile.Write(ref _downSince, 0);
        if (fullSync)
        {
            // A master sending the diskless form waits for this first ACK before it streams.
            await applier.SendAckAsync(stop);
        }
        await applier.RunAsync(stop);
    }

    private async Task FullSyncAsync(LinkRun run, MasterConnection connection, string replId, long offset, bool legacy, CancellationToken stop)
    {
        run.State = ReplicaLinkState.Transfer;
        var transfer = new SnapshotTransfer(_silo, connection);
        run.Transfer = transfer;
        SnapshotLoader loader;
        try
        {
            loader = await transfer.ReceiveAsync(stop);
        }
        catch (RdbFormatException error)
        {
            throw new ReplicationLinkException($"Failed trying to load the MASTER synchronization DB: {error.Message}");
        }

        await _applyGate.WaitAsync(stop);
        try
        {
            stop.ThrowIfCancellationRequested();
            var log = _silo.Log;
            log.Notice("MASTER <-> REPLICA sync: Flushing old data");
            // As Redis restarts the AOF after a full sync: the new data starts a new base.
            var aof = _silo.Aof.Enabled;
            if (aof)
            {
                await _silo.Aof.WaitForRewriteAsync();
                await _silo.Aof.DisableAsync();
            }
            await loader.InstallAsync(_silo.Grains);
            var streamDb = int.TryParse(loader.Summary?.GetAux("repl-stream-db"), out var db) && db >= 0 && db < _silo.Config.Databases ? db : 0;
            _silo.Backlog.Reset(replId, offset, streamDb);
            EnsureBacklogIsFedByMasterOnly();
            _historyUnknown = legacy;
            // This silo's replicas followed the old data: they must sync again.
            _silo.Replication.DisconnectAll();
            transfer.DisposeTempFile(keepAsRdb: _silo.Config.Save.Count > 0);
            if (aof && !_silo.Aof.TryEnable())
            {
                log.Warning("Failed enabling the AOF after successful master synchronization!");
            }
            log.Notice($"MASTER <-> REPLICA sync: Finished with success ({loader.Keys} keys)");
        }
        finally
        {
            _applyGate.Release();
        }
        run.Transfer = null;
    }

    private async Task ContinueAsync(string? replId, CancellationToken stop)
    {
        await _applyGate.WaitAsync(stop);
        try
        {
            stop.ThrowIfCancellationRequested();
            var backlog = _silo.Backlog;
            if (!backlog.Active)
            {
                // A history never served yet: start keeping the backlog from here, same id and offset.
                backlog.Reset(backlog.ReplId, backlog.Offset, backlog.StreamDb);
            }
            EnsureBacklogIsFedByMasterOnly();
            if (replId is not null && replId != backlog.ReplId)
            {
                backlog.AdoptReplId(replId);
                _silo.Log.Notice($"Master replication ID changed to {replId}");
                // Sub-replicas must learn the new id; they continue partially through replid2.
                _silo.Replication.DisconnectAll();
            }
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>
    /// On a replica the backlog takes the master's bytes only: if something made it a sink of the
    /// propagation log meanwhile (a replica attaching while the link was down), it would get every
    /// applied command twice.
    /// </summary>
    private void EnsureBacklogIsFedByMasterOnly() => _silo.Propagation.RemoveSink(_silo.Backlog);

    /// <summary>Once a second, as Redis's replicationCron: timeouts, REPLCONF ACK, and a newline while loading.</summary>
    private async Task RunCronAsync(LinkRun run)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var stop = run.Stop.Token;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var connection = run.Connection;
                if (connection is null || connection.Aborted)
                {
                    continue;
                }
                try
                {
                    await CronTickAsync(run, connection, stop);
                }
                catch (Exception error) when (error is SocketException or ObjectDisposedException or IOException)
                {
                    // The link loop notices the broken connection and reconnects.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CronTickAsync(LinkRun run, MasterConnection connection, CancellationToken stop)
    {
        var timeout = _silo.Config.ReplTimeout;
        var idle = SecondsSince(connection.LastIo);
        switch (run.State)
        {
            case ReplicaLinkState.Handshake when idle > timeout:
                _silo.Log.Warning("Timeout connecting to the MASTER...");
                connection.Abort();
                break;
            case ReplicaLinkState.Transfer when run.Transfer is { PayloadReceived: true }:
                // Loading: tell the master we are alive.
                await connection.SendAsync(Newline, stop);
                break;
            case ReplicaLinkState.Transfer when idle > timeout:
                _silo.Log.Warning("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
                connection.Abort();
                break;
            case ReplicaLinkState.Connected when idle > timeout:
                _silo.Log.Warning("MASTER timeout: no data nor PING received...");
                connection.Abort();
                break;
            case ReplicaLinkState.Connected when run.Applier is { } applier:
                await applier.SendAckAsync(stop);
                break;
        }
    }

    private void EndConnection(LinkRun run)
    {
        var wasConnected = run.State == ReplicaLinkState.Connected;
        run.Connection?.Abort();
        run.Connection = null;
        if (run.Applier is { } applier)
        {
            Volatile.Write(ref _cachedReadOffset, applier.ReadOffset);
            run.Applier = null;
        }
        run.Transfer?.DisposeTempFile(keepAsRdb: false);
        run.Transfer = null;
        run.State = ReplicaLinkState.Connect;
        if (wasConnected)
        {
            Volatile.Write(ref _downSince, Stopwatch.GetTimestamp());
            _silo.Log.Notice("Connection with master lost.");
            _silo.Log.Notice("Caching the disconnected master state.");
        }
    }

    private void ReportFailure(LinkRun run, Exception error)
    {
        var message = error switch
        {
            SocketException socket when run.State == ReplicaLinkState.Connecting => $"Error condition on socket for SYNC: {socket.Message}",
            SocketException or IOException or ObjectDisposedException when run.State == ReplicaLinkState.Transfer => "I/O error trying to sync with MASTER: connection lost",
            SocketException or IOException or ObjectDisposedException => $"Master link error: {error.Message}",
            ReplicationLinkException or TimeoutException => error.Message,
            _ => $"Replication link failed: {error}",
        };
        _silo.Log.Warning(message);
    }

    private static long SecondsSince(long timestamp) => (long)Stopwatch.GetElapsedTime(timestamp).TotalSeconds;

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The link to one master (one REPLICAOF): its connection attempts, state and current connection.</summary>
    private sealed class LinkRun(string host, int port)
    {
        private volatile ReplicaLinkState _state = ReplicaLinkState.Connect;

        public string Host { get; } = host;

        public int Port { get; } = port;

        public CancellationTokenSource Stop { get; } = new();

        public ReplicaLinkState State
        {
            get => _state;
            set => _state = value;
        }

        // Read by INFO, ROLE and the cron while the link loop replaces them.
        private volatile MasterConnection? _connection;
        private volatile SnapshotTransfer? _transfer;
        private volatile MasterStreamApplier? _applier;

        public MasterConnection? Connection
        {
            get => _connection;
            set => _connection = value;
        }

        public SnapshotTransfer? Transfer
        {
            get => _transfer;
            set => _transfer = value;
        }

        public MasterStreamApplier? Applier
        {
            get => _applier;
            set => _applier = value;
        }

        public Task Completion { get; set; } = Task.CompletedTask;

        /// <summary>Stops the attempts and closes the connection (pending reads fail at once).</summary>
        public void Cancel()
        {
            try
            {
                Stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            Connection?.Abort();
        }
    }
}
