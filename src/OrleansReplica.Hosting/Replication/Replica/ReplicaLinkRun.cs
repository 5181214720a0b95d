using System.Net.Sockets;
using System.Security.Cryptography;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// One REPLICAOF of a replica: the attempts to follow that master (connect, handshake, PSYNC, the
/// snapshot transfer of a full sync, then reading the stream), retried a second after a failure.
/// The attempts run outside the link grain's turns, so a long transfer never holds the grain; every
/// step that changes the silo's data or history (installing the snapshot, continuing, applying the
/// stream) is a turn of the grain, which REPLICAOF, NO ONE and the cron take one at a time.
/// </summary>
public sealed class ReplicaLinkRun
{
    private readonly Silo _silo;
    private readonly IReplicaLinkGrain _link;
    private readonly CancellationTokenSource _stop = new();
    private volatile ReplicaLinkState _state = ReplicaLinkState.Connect;

    // Read by INFO, ROLE and the cron while the attempts replace them.
    private volatile MasterConnection? _connection;
    private volatile SnapshotTransfer? _transfer;
    private volatile MasterStreamApplier? _applier;

    internal ReplicaLinkRun(Silo silo, IReplicaLinkGrain link, string host, int port)
    {
        _silo = silo;
        _link = link;
        Host = host;
        Port = port;
    }

    public string Host { get; }

    public int Port { get; }

    public ReplicaLinkState State => _state;

    /// <summary>Completes when the attempts stopped (after <see cref="Cancel"/>).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>True once REPLICAOF moved on (another master, NO ONE) or the silo stops.</summary>
    internal bool Stopped => _stop.IsCancellationRequested;

    internal CancellationToken StopToken => _stop.Token;

    internal MasterConnection? Connection => _connection;

    internal SnapshotTransfer? Transfer => _transfer;

    internal MasterStreamApplier? Applier => _applier;

    /// <summary>Starts the attempts on the thread pool.</summary>
    internal void Start() => Completion = Task.Run(RunAsync);

    /// <summary>Stops the attempts and closes the connection (pending reads fail at once).</summary>
    internal void Cancel()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _connection?.Abort();
    }

    /// <summary>Connects, syncs and reads the stream; after a failure or a drop, tries again a second later.</summary>
    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await SyncAsync(stop);
            }
            catch (Exception error) when (!stop.IsCancellationRequested)
            {
                // A connection closed on purpose (timeout, CLIENT KILL) was reported by whoever closed it.
                if (_connection is not { Aborted: true })
                {
                    ReportFailure(error);
                }
            }
            catch (Exception)
            {
                // Stopped (REPLICAOF, shutdown): the failure is the cancellation itself.
            }
            finally
            {
                EndConnection();
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
        Cancel();
    }

    private async Task SyncAsync(CancellationToken stop)
    {
        var log = _silo.Log;
        var config = _silo.Config;
        _state = ReplicaLinkState.Connecting;
        log.Notice($"Connecting to MASTER {Host}:{Port}");
        log.Notice("MASTER <-> REPLICA sync started");
        var connection = new MasterConnection(await _silo.ReplicationTransport.ConnectAsync(Host, Port, TimeSpan.FromSeconds(config.ReplTimeout), stop));
        _connection = connection;
        if (stop.IsCancellationRequested)
        {
            return;
        }
        log.Notice("Non blocking connect for SYNC fired the event.");
        _state = ReplicaLinkState.Handshake;
        var (psyncId, psyncOffset) = await _link.PsyncRequestAsync(this);
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
                await FullSyncAsync(connection, reply.ReplId!, reply.Offset, legacy: false, stop);
                break;
            case PsyncOutcome.NotSupported:
                log.Notice("Retrying with SYNC...");
                await connection.SendAsync(MasterHandshake.Command("SYNC"), stop);
                await FullSyncAsync(connection, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)), 0, legacy: true, stop);
                break;
            default:
                await _link.ContinueAsync(this, reply.ReplId);
                log.Notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
                break;
        }

        var applier = new MasterStreamApplier(_silo, connection);
        connection.Touch();
        _applier = applier;
        _state = ReplicaLinkState.Connected;
        _silo.Replica.LinkDown(false);
        if (fullSync)
        {
            // A master sending the diskless form waits for this first ACK before it streams.
            await applier.SendAckAsync(stop);
        }
        await ReadStreamAsync(applier, connection, stop);
    }

    private async Task FullSyncAsync(MasterConnection connection, string replId, long offset, bool legacy, CancellationToken stop)
    {
        _state = ReplicaLinkState.Transfer;
        var transfer = new SnapshotTransfer(_silo, connection);
        _transfer = transfer;
        try
        {
            var loader = await transfer.ReceiveAsync(stop);
            await _link.InstallSnapshotAsync(this, loader, replId, offset, legacy);
        }
        catch (RdbFormatException error)
        {
            throw new ReplicationLinkException($"Failed trying to load the MASTER synchronization DB: {error.Message}");
        }
        _transfer = null;
    }

    /// <summary>Reads the stream and has the link grain apply what arrived, until the connection ends or the run stops.</summary>
    private async Task ReadStreamAsync(MasterStreamApplier applier, MasterConnection connection, CancellationToken stop)
    {
        applier.Attach();
        try
        {
            while (true)
            {
                if (!connection.Buffered.IsEmpty)
                {
                    await _link.ApplyStreamAsync(this);
                }
                await applier.ReceiveAsync(stop);
            }
        }
        finally
        {
            applier.Detach();
        }
    }

    private void EndConnection()
    {
        var wasConnected = _state == ReplicaLinkState.Connected;
        _connection?.Abort();
        _connection = null;
        if (_applier is { } applier)
        {
            _silo.Replica.CachedReadOffset = applier.ReadOffset;
            _applier = null;
        }
        _transfer?.DisposeTempFile(keepAsRdb: false);
        _transfer = null;
        _state = ReplicaLinkState.Connect;
        if (wasConnected)
        {
            _silo.Replica.LinkDown(true);
            _silo.Log.Notice("Connection with master lost.");
            _silo.Log.Notice("Caching the disconnected master state.");
        }
    }

    private void ReportFailure(Exception error)
    {
        var message = error switch
        {
            SocketException socket when _state == ReplicaLinkState.Connecting => $"Error condition on socket for SYNC: {socket.Message}",
            SocketException or IOException or ObjectDisposedException when _state == ReplicaLinkState.Transfer => "I/O error trying to sync with MASTER: connection lost",
            SocketException or IOException or ObjectDisposedException => $"Master link error: {error.Message}",
            ReplicationLinkException or TimeoutException => error.Message,
            _ => $"Replication link failed: {error}",
        };
        _silo.Log.Warning(message);
    }
}
