using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Grains.Replication;
using OrleansReplica.Grains.Shards;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Commands;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Connections;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Hosting.Persistence;
using OrleansReplica.Hosting.Replication.Master;
using OrleansReplica.Hosting.Replication.Transport;
using OrleansReplica.Hosting.Replication.Replica;
using OrleansReplica.Hosting.PubSub;
using OrleansReplica.Protocol.Resp;
using OrleansReplica.Runtime;

namespace OrleansReplica.Hosting.Server;

/// <summary>
/// One server: its configuration, grain runtime (the shard grains), command table, clients and
/// the RESP listener. Several silos can live in one process; they share nothing.
/// </summary>
public sealed class Silo : IAsyncDisposable
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ServiceProvider _services;
    private KestrelServer? _listener;
    private readonly CancellationTokenSource _cronStop = new();
    private Task _cron = Task.CompletedTask;
    private long _dirty;
    private int _stopping;

    public Silo(ServerConfig config, RedisLog? log = null)
    {
        Config = config;
        Log = log ?? new RedisLog(config.LogFile, RedisLog.ParseLevel(config.LogLevel));
        KeyspaceOptions = new KeyspaceOptions
        {
            Databases = config.Databases,
            Shards = config.Shards,
            Hz = config.Hz,
            LfuPolicy = IsLfu(config.MaxMemoryPolicy),
        };
        ShardMap = new ShardMap(KeyspaceOptions.Shards);
        ReplicationStream = new ReplicationStream(Backlog);
        _services = new ServiceCollection()
            .AddSingleton(KeyspaceOptions)
            .AddSingleton(Propagation)
            .AddSingleton(Backlog)
            .AddSingleton(ReplicationStream)
            .AddSingleton(this)
            .BuildServiceProvider();
        var grains = new GrainRegistry()
            .AddGrain<IShardGrain, ShardGrain>(static invoker => new ShardGrainReference(invoker))
            .AddGrain<IBacklogGrain, BacklogGrain>(static invoker => new BacklogGrainReference(invoker))
            .AddGrain<IResyncGrain, ResyncGrain>(static invoker => new ResyncGrainReference(invoker), collectible: true)
            .AddGrain<IReplicaLinkGrain, ReplicaLinkGrain>(static invoker => new ReplicaLinkGrainReference(invoker));
        Grains = new GrainRuntime(grains, _services);
        Commands = CommandTable.FromRedisMetadata();
        CommandRegistrations.RegisterAll(Commands);
        Limits = new RespLimits(config.ProtoMaxBulkLen, config.ClientQueryBufferLimit);
        PubSub = new PubSubHub(config, Log);
        Backlog.Size = Config.GetNumber("repl-backlog-size");
        Rdb = new RdbPersistence(this);
        Aof = new AofPersistence(this);
        Replication = new MasterReplication(this);
        Replica = new ReplicaLinkStatus(this);
        ReplicaLink = Grains.GetGrain<IReplicaLinkGrain>(0);
        BacklogGrain = Grains.GetGrain<IBacklogGrain>(0);
        config.Changed += OnConfigChanged;
    }

    public ServerConfig Config { get; }

    public RedisLog Log { get; }

    public KeyspaceOptions KeyspaceOptions { get; }

    public ShardMap ShardMap { get; }

    public GrainRuntime Grains { get; }

    /// <summary>Writes in their propagated form, for the AOF and replicas.</summary>
    public PropagationLog Propagation { get; } = new();

    /// <summary>Replication id, offsets and backlog (PSYNC2), as INFO reads them; changed only by <see cref="BacklogGrain"/> and the writes it keeps.</summary>
    public ReplicationBacklog Backlog { get; } = new();

    /// <summary>The grain whose turns change the replication history and decide partial resyncs.</summary>
    public IBacklogGrain BacklogGrain { get; }

    /// <summary>The replication stream replicas subscribe to from their offset (the backlog is its cache).</summary>
    public ReplicationStream ReplicationStream { get; }

    /// <summary>How this silo reaches a master when it is a replica (TCP unless a test cluster links silos in memory); set before start.</summary>
    public IReplicationTransport ReplicationTransport { get; set; } = new TcpReplicationTransport();

    /// <summary>The replicas of this silo: PSYNC, full syncs, WAIT.</summary>
    public MasterReplication Replication { get; }

    /// <summary>Whether this silo follows a master and how far it got (REPLICAOF), for INFO, ROLE and the READONLY check.</summary>
    public ReplicaLinkStatus Replica { get; }

    /// <summary>The grain that follows a master while this silo is a replica: REPLICAOF and NO ONE go through it.</summary>
    public IReplicaLinkGrain ReplicaLink { get; }

    public CommandTable Commands { get; }

    public ClientRegistry Clients { get; } = new();

    /// <summary>Channel, pattern and shard channel subscriptions, and message delivery.</summary>
    public PubSubHub PubSub { get; }

    public ServerStats Stats { get; } = new();

    /// <summary>Fair turns of the connections on the socket thread.</summary>
    public ConnectionTurns ConnectionTurns { get; } = new();

    public RespLimits Limits { get; private set; }

    /// <summary>run_id in INFO server: random per start.</summary>
    public string RunId { get; } = RandomHex40();

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>SAVE, BGSAVE, save points and loading of dir/dbfilename.</summary>
    public RdbPersistence Rdb { get; }

    /// <summary>The append only file (appendonly yes) and BGREWRITEAOF.</summary>
    public AofPersistence Aof { get; }

    /// <summary>Writes since the last save (rdb_changes_since_last_save).</summary>
    public long ChangesSinceLastSave => Volatile.Read(ref _dirty);

    public bool RequiresAuthentication => !string.IsNullOrEmpty(Config.RequirePass);

    /// <summary>The endpoints actually listened on (port 0 in the config picks a free port).</summary>
    public IReadOnlyList<IPEndPoint> Endpoints { get; private set; } = [];

    public int Port => Endpoints.Count > 0 ? Endpoints[0].Port : Config.Port;

    /// <summary>Completes when the silo has stopped (SHUTDOWN, SIGTERM or StopAsync).</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Loads the data files, then listens; a corrupt data file throws and nothing listens.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Config.AppendOnly)
        {
            await Aof.StartAsync();
        }
        else
        {
            await Rdb.LoadAsync();
        }
        var kestrel = new KestrelServerOptions { ApplicationServices = _services };
        kestrel.Limits.MaxRequestBufferSize = null;
        var listeners = new List<ListenOptions>();
        foreach (var address in ListenAddresses())
        {
            kestrel.Listen(address, Config.Port, listen =>
            {
                listeners.Add(listen);
                listen.Run(connection => new ClientConnection(this, connection).RunAsync());
            });
        }
        // Inline scheduling runs our (short, non-blocking) command processing on the socket thread,
        // saving a thread-pool hop per request; the read buffer is bounded by client-query-buffer-limit instead.
        // io-threads sets the socket threads as in Redis (default 1): one thread serving every
        // connection never contends for a shard's turn and leaves the other cores to the clients.
        var transport = new SocketTransportOptions
        {
            UnsafePreferInlineScheduling = true,
            NoDelay = true,
            MaxReadBufferSize = null,
            IOQueueCount = (int)Config.GetNumber("io-threads"),
            // Read straight into a buffer: waiting first with a zero-byte read costs a second syscall per read.
            WaitForDataBeforeAllocatingBuffer = false,
        };
        _listener = new KestrelServer(Options.Create(kestrel), new SocketTransportFactory(Options.Create(transport), NullLoggerFactory.Instance), NullLoggerFactory.Instance);
        await _listener.StartAsync(new NoHttpApplication(), cancellationToken);
        Endpoints = listeners.Select(static listen => listen.IPEndPoint!).ToArray();
        await ReplicaLink.StartAsync();
        Log.Notice("Server initialized");
        Log.Notice("Ready to accept connections tcp");
        _cron = RunCronAsync(_cronStop.Token);
    }

    /// <summary>Periodic server work (Redis's serverCron): the save points, and once a second the replication cron.</summary>
    private async Task RunCronAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var ticks = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                Rdb.CheckSavePoints();
                if (++ticks % 10 == 0)
                {
                    await Replication.CronAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Adds a command's writes to the save counter.</summary>
    public void Dirty(KeyspaceAccess keyspace)
    {
        if (keyspace.Dirty != 0)
        {
            Interlocked.Add(ref _dirty, keyspace.Dirty);
            keyspace.Dirty = 0;
        }
    }

    public void ResetDirty() => Volatile.Write(ref _dirty, 0);

    /// <summary>A save wrote the changes counted up to its cut: only later ones remain unsaved.</summary>
    public void SubtractDirty(long saved) => Interlocked.Add(ref _dirty, -saved);

    /// <summary>
    /// Before SHUTDOWN and SIGTERM stop the silo: stops a background save and saves when asked (or, by
    /// default, when save points are configured). False when the save failed and the shutdown is not forced.
    /// </summary>
    public async Task<bool> PrepareForShutdownAsync(bool? save = null, bool force = false)
    {
        Rdb.CancelSaves();
        await Rdb.WaitForBackgroundSaveAsync();
        if (save ?? Config.Save.Count > 0)
        {
            Log.Notice("Saving the final RDB snapshot before exiting.");
            if (!await Rdb.SaveAsync() && !force)
            {
                Log.Warning("Error trying to save the DB, can't exit.");
                return false;
            }
        }
        return true;
    }

    /// <summary>Stops accepting, closes every client and deactivates the grains.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
        {
            await _stopped.Task;
            return;
        }
        try
        {
            _cronStop.Cancel();
            await _cron;
            var run = Replica.Run;
            await ReplicaLink.StopAsync();
            await (run?.Completion ?? Task.CompletedTask);
            Rdb.CancelSaves();
            await Rdb.WaitForBackgroundSaveAsync();
            Replication.DisconnectAll();
            Clients.KillAll();
            if (_listener is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _listener.StopAsync(timeout.Token);
                _listener.Dispose();
            }
            await Aof.DisposeAsync();
            await Grains.DeactivateAllAsync();
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Grains.DisposeAsync();
        await _services.DisposeAsync();
        Log.Dispose();
    }

    private List<IPAddress> ListenAddresses()
    {
        var addresses = new List<IPAddress>();
        foreach (var entry in Config.Bind)
        {
            // A leading '-' marks an address that may be unavailable (IPv6 on a v4-only host).
            var optional = entry.StartsWith('-');
            var text = entry.TrimStart('-');
            var address = text switch
            {
                "*" => IPAddress.Any,
                "::*" => IPAddress.IPv6Any,
                "localhost" => IPAddress.Loopback,
                _ => IPAddress.Parse(text),
            };
            if (optional && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !System.Net.Sockets.Socket.OSSupportsIPv6)
            {
                continue;
            }
            addresses.Add(address);
        }
        // The IPv6 wildcard socket is dual-stack and already covers the IPv4 wildcard.
        if (addresses.Contains(IPAddress.IPv6Any))
        {
            addresses.Remove(IPAddress.Any);
        }
        // With port 0 each address would get a different port: listen on the first only.
        return Config.Port == 0 ? addresses.Take(1).ToList() : addresses;
    }

    private void OnConfigChanged(string name)
    {
        switch (name)
        {
            case "proto-max-bulk-len" or "client-query-buffer-limit":
                Limits = new RespLimits(Config.ProtoMaxBulkLen, Config.ClientQueryBufferLimit);
                break;
            case "hz":
                KeyspaceOptions.Hz = Config.Hz;
                break;
            case "maxmemory-policy":
                KeyspaceOptions.LfuPolicy = IsLfu(Config.MaxMemoryPolicy);
                break;
            case "loglevel":
                Log.Level = RedisLog.ParseLevel(Config.LogLevel);
                break;
            case "repl-backlog-size":
                Backlog.Size = Config.GetNumber("repl-backlog-size");
                break;
            case "appendonly" when Config.AppendOnly:
                Aof.TryEnable();
                break;
            case "appendonly":
                _ = Aof.DisableAsync();
                break;
        }
    }

    private static bool IsLfu(string policy) => policy.Contains("lfu", StringComparison.Ordinal);

    private static string RandomHex40() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>Kestrel wants an HTTP application; our listeners never reach it.</summary>
    private sealed class NoHttpApplication : IHttpApplication<object>
    {
        public object CreateContext(IFeatureCollection contextFeatures) => new();

        public Task ProcessRequestAsync(object context) => Task.CompletedTask;

        public void DisposeContext(object context, Exception? exception) { }
    }
}
