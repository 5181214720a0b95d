namespace OrleansReplica.Hosting.Configuration;

/// <summary>Typed, lock-free reads of the parameters the server uses.</summary>
public sealed partial class ServerConfig
{
    // Network
    public int Port => (int)Number(Ix.Port);

    public IReadOnlyList<string> Bind => (IReadOnlyList<string>)Ref(Ix.Bind)!;

    public bool ProtectedMode => Flag(Ix.ProtectedMode);

    public int TcpBacklog => (int)Number(Ix.TcpBacklog);

    /// <summary>Seconds between TCP keepalive probes; 0 disables them.</summary>
    public int TcpKeepAlive => (int)Number(Ix.TcpKeepAlive);

    /// <summary>Idle seconds before a client is closed; 0 never.</summary>
    public int Timeout => (int)Number(Ix.Timeout);

    public string? UnixSocket => (string?)Ref(Ix.UnixSocket);

    public int UnixSocketPerm => (int)Number(Ix.UnixSocketPerm);

    public long MaxClients => Number(Ix.MaxClients);

    public long ClientQueryBufferLimit => Number(Ix.ClientQueryBufferLimit);

    public long ProtoMaxBulkLen => Number(Ix.ProtoMaxBulkLen);

    public OutputBufferLimit GetOutputBufferLimit(ClientClass clientClass) =>
        ((IReadOnlyList<OutputBufferLimit>)Ref(Ix.ClientOutputBufferLimit)!)[(int)clientClass];

    // General
    public bool Daemonize => Flag(Ix.Daemonize);

    public string? PidFile => (string?)Ref(Ix.PidFile);

    /// <summary>debug, verbose, notice or warning.</summary>
    public string LogLevel => Text(Ix.LogLevel);

    /// <summary>Log file; empty means standard output. A relative path is relative to <see cref="Dir"/>.</summary>
    public string LogFile => Text(Ix.LogFile);

    public int Databases => (int)Number(Ix.Databases);

    /// <summary>Number of keyspace shards: the <c>shards</c> parameter, or the processor count when it is 0.</summary>
    public int Shards => Number(Ix.Shards) is var n && n > 0 ? (int)n : Environment.ProcessorCount;

    /// <summary>Server cron frequency, already limited to 1..500 as Redis does.</summary>
    public int Hz => (int)Number(Ix.Hz);

    public bool DynamicHz => Flag(Ix.DynamicHz);

    public int ActiveExpireEffort => (int)Number(Ix.ActiveExpireEffort);

    /// <summary>
    /// Whether the active expire cycle runs (DEBUG SET-ACTIVE-EXPIRE). A runtime switch, not a config
    /// parameter, so it is neither listed nor rewritten.
    /// </summary>
    public bool ActiveExpireEnabled { get; set; } = true;

    /// <summary>Absolute working directory: RDB, AOF and relative paths live here.</summary>
    public string Dir => (string)Ref(Ix.Dir)!;

    public string? RequirePass => (string?)Ref(Ix.RequirePass);

    public string? MasterAuth => (string?)Ref(Ix.MasterAuth);

    public string? MasterUser => (string?)Ref(Ix.MasterUser);

    public string AclFile => Text(Ix.AclFile);

    public bool ClusterEnabled => Flag(Ix.ClusterEnabled);

    /// <summary>no, yes or local.</summary>
    public string EnableDebugCommand => Text(Ix.EnableDebugCommand);

    public KeyspaceEvents NotifyKeyspaceEvents => (KeyspaceEvents)Number(Ix.NotifyKeyspaceEvents);

    // Persistence
    public IReadOnlyList<SavePoint> Save => (IReadOnlyList<SavePoint>)Ref(Ix.Save)!;

    public string DbFilename => Text(Ix.DbFilename);

    public bool RdbCompression => Flag(Ix.RdbCompression);

    public bool RdbChecksum => Flag(Ix.RdbChecksum);

    public bool StopWritesOnBgsaveError => Flag(Ix.StopWritesOnBgsaveError);

    public bool AppendOnly => Flag(Ix.AppendOnly);

    public string AppendFilename => Text(Ix.AppendFilename);

    public string AppendDirname => Text(Ix.AppendDirname);

    /// <summary>everysec, always or no.</summary>
    public string AppendFsync => Text(Ix.AppendFsync);

    public bool AofUseRdbPreamble => Flag(Ix.AofUseRdbPreamble);

    public bool AofLoadTruncated => Flag(Ix.AofLoadTruncated);

    // Replication
    public ReplicaOfTarget? ReplicaOf => (ReplicaOfTarget?)Ref(Ix.ReplicaOf);

    public bool ReplicaReadOnly => Flag(Ix.ReplicaReadOnly);

    public bool ReplicaServeStaleData => Flag(Ix.ReplicaServeStaleData);

    public int ReplicaPriority => (int)Number(Ix.ReplicaPriority);

    public string? ReplicaAnnounceIp => (string?)Ref(Ix.ReplicaAnnounceIp);

    public int ReplicaAnnouncePort => (int)Number(Ix.ReplicaAnnouncePort);

    public bool ReplicaAnnounced => Flag(Ix.ReplicaAnnounced);

    public bool ReplicaLazyFlush => Flag(Ix.ReplicaLazyFlush);

    public bool ReplicaIgnoreMaxMemory => Flag(Ix.ReplicaIgnoreMaxMemory);

    public long ReplBacklogSize => Number(Ix.ReplBacklogSize);

    /// <summary>Seconds without replicas after which the backlog is freed; 0 never.</summary>
    public long ReplBacklogTtl => Number(Ix.ReplBacklogTtl);

    public int ReplTimeout => (int)Number(Ix.ReplTimeout);

    public int ReplPingReplicaPeriod => (int)Number(Ix.ReplPingReplicaPeriod);

    public bool ReplDisklessSync => Flag(Ix.ReplDisklessSync);

    public int ReplDisklessSyncDelay => (int)Number(Ix.ReplDisklessSyncDelay);

    public int ReplDisklessSyncMaxReplicas => (int)Number(Ix.ReplDisklessSyncMaxReplicas);

    /// <summary>disabled, on-empty-db or swapdb.</summary>
    public string ReplDisklessLoad => Text(Ix.ReplDisklessLoad);

    public bool ReplDisableTcpNoDelay => Flag(Ix.ReplDisableTcpNoDelay);

    public int MinReplicasToWrite => (int)Number(Ix.MinReplicasToWrite);

    public int MinReplicasMaxLag => (int)Number(Ix.MinReplicasMaxLag);

    // Memory and encodings
    public ulong MaxMemory => (ulong)Number(Ix.MaxMemory);

    public string MaxMemoryPolicy => Text(Ix.MaxMemoryPolicy);

    public int MaxMemorySamples => (int)Number(Ix.MaxMemorySamples);

    public bool LazyFreeLazyExpire => Flag(Ix.LazyFreeLazyExpire);

    public bool LazyFreeLazyServerDel => Flag(Ix.LazyFreeLazyServerDel);

    public bool LazyFreeLazyUserDel => Flag(Ix.LazyFreeLazyUserDel);

    public bool LazyFreeLazyUserFlush => Flag(Ix.LazyFreeLazyUserFlush);

    public long HashMaxListpackEntries => Number(Ix.HashMaxListpackEntries);

    public long HashMaxListpackValue => Number(Ix.HashMaxListpackValue);

    public int ListMaxListpackSize => (int)Number(Ix.ListMaxListpackSize);

    public int ListCompressDepth => (int)Number(Ix.ListCompressDepth);

    public long SetMaxIntsetEntries => Number(Ix.SetMaxIntsetEntries);

    public long ZsetMaxListpackEntries => Number(Ix.ZsetMaxListpackEntries);

    public long ZsetMaxListpackValue => Number(Ix.ZsetMaxListpackValue);

    public long StreamNodeMaxBytes => Number(Ix.StreamNodeMaxBytes);

    public long StreamNodeMaxEntries => Number(Ix.StreamNodeMaxEntries);

    public long HllSparseMaxBytes => Number(Ix.HllSparseMaxBytes);

    // Diagnostics
    public long SlowlogLogSlowerThan => Number(Ix.SlowlogLogSlowerThan);

    public long SlowlogMaxLen => Number(Ix.SlowlogMaxLen);

    public long LatencyMonitorThreshold => Number(Ix.LatencyMonitorThreshold);

    public bool LatencyTracking => Flag(Ix.LatencyTracking);

    public IReadOnlyList<double> LatencyTrackingInfoPercentiles => (IReadOnlyList<double>)Ref(Ix.LatencyTrackingInfoPercentiles)!;

    public long BusyReplyThreshold => Number(Ix.BusyReplyThreshold);

    public long AclLogMaxLen => Number(Ix.AclLogMaxLen);

    public int ShutdownTimeout => (int)Number(Ix.ShutdownTimeout);

    public long TrackingTableMaxKeys => Number(Ix.TrackingTableMaxKeys);

    /// <summary>The number behind a yes/no (1/0), integer, memory or enum parameter; percentages are negative.</summary>
    public long GetNumber(string name) =>
        Number((ConfigRegistry.Find(name) ?? throw new KeyNotFoundException(name)).Index);

    private long Number(int index) => _values[index].Number;

    private object? Ref(int index) => _values[index].Ref;

    private bool Flag(int index) => _values[index].Number != 0;

    private string Text(int index)
    {
        var value = _values[index];
        return value.Ref as string ?? ConfigRegistry.All[index].Format(value);
    }

    /// <summary>Slots of the parameters read by the typed accessors.</summary>
    private static class Ix
    {
        public static readonly int Port = ConfigRegistry.IndexOf("port");
        public static readonly int Bind = ConfigRegistry.IndexOf("bind");
        public static readonly int ProtectedMode = ConfigRegistry.IndexOf("protected-mode");
        public static readonly int TcpBacklog = ConfigRegistry.IndexOf("tcp-backlog");
        public static readonly int TcpKeepAlive = ConfigRegistry.IndexOf("tcp-keepalive");
        public static readonly int Timeout = ConfigRegistry.IndexOf("timeout");
        public static readonly int UnixSocket = ConfigRegistry.IndexOf("unixsocket");
        public static readonly int UnixSocketPerm = ConfigRegistry.IndexOf("unixsocketperm");
        public static readonly int MaxClients = ConfigRegistry.IndexOf("maxclients");
        public static readonly int ClientQueryBufferLimit = ConfigRegistry.IndexOf("client-query-buffer-limit");
        public static readonly int ProtoMaxBulkLen = ConfigRegistry.IndexOf("proto-max-bulk-len");
        public static readonly int ClientOutputBufferLimit = ConfigRegistry.IndexOf("client-output-buffer-limit");
        public static readonly int Daemonize = ConfigRegistry.IndexOf("daemonize");
        public static readonly int PidFile = ConfigRegistry.IndexOf("pidfile");
        public static readonly int LogLevel = ConfigRegistry.IndexOf("loglevel");
        public static readonly int LogFile = ConfigRegistry.IndexOf("logfile");
        public static readonly int Databases = ConfigRegistry.IndexOf("databases");
        public static readonly int Shards = ConfigRegistry.IndexOf("shards");
        public static readonly int Hz = ConfigRegistry.IndexOf("hz");
        public static readonly int DynamicHz = ConfigRegistry.IndexOf("dynamic-hz");
        public static readonly int ActiveExpireEffort = ConfigRegistry.IndexOf("active-expire-effort");
        public static readonly int Dir = ConfigRegistry.IndexOf("dir");
        public static readonly int RequirePass = ConfigRegistry.IndexOf("requirepass");
        public static readonly int MasterAuth = ConfigRegistry.IndexOf("masterauth");
        public static readonly int MasterUser = ConfigRegistry.IndexOf("masteruser");
        public static readonly int AclFile = ConfigRegistry.IndexOf("aclfile");
        public static readonly int ClusterEnabled = ConfigRegistry.IndexOf("cluster-enabled");
        public static readonly int EnableDebugCommand = ConfigRegistry.IndexOf("enable-debug-command");
        public static readonly int EnableProtectedConfigs = ConfigRegistry.IndexOf("enable-protected-configs");
        public static readonly int NotifyKeyspaceEvents = ConfigRegistry.IndexOf("notify-keyspace-events");
        public static readonly int Save = ConfigRegistry.IndexOf("save");
        public static readonly int DbFilename = ConfigRegistry.IndexOf("dbfilename");
        public static readonly int RdbCompression = ConfigRegistry.IndexOf("rdbcompression");
        public static readonly int RdbChecksum = ConfigRegistry.IndexOf("rdbchecksum");
        public static readonly int StopWritesOnBgsaveError = ConfigRegistry.IndexOf("stop-writes-on-bgsave-error");
        public static readonly int AppendOnly = ConfigRegistry.IndexOf("appendonly");
        public static readonly int AppendFilename = ConfigRegistry.IndexOf("appendfilename");
        public static readonly int AppendDirname = ConfigRegistry.IndexOf("appenddirname");
        public static readonly int AppendFsync = ConfigRegistry.IndexOf("appendfsync");
        public static readonly int AofUseRdbPreamble = ConfigRegistry.IndexOf("aof-use-rdb-preamble");
        public static readonly int AofLoadTruncated = ConfigRegistry.IndexOf("aof-load-truncated");
        public static readonly int ReplicaOf = ConfigRegistry.IndexOf("replicaof");
        public static readonly int ReplicaReadOnly = ConfigRegistry.IndexOf("replica-read-only");
        public static readonly int ReplicaServeStaleData = ConfigRegistry.IndexOf("replica-serve-stale-data");
        public static readonly int ReplicaPriority = ConfigRegistry.IndexOf("replica-priority");
        public static readonly int ReplicaAnnounceIp = ConfigRegistry.IndexOf("replica-announce-ip");
        public static readonly int ReplicaAnnouncePort = ConfigRegistry.IndexOf("replica-announce-port");
        public static readonly int ReplicaAnnounced = ConfigRegistry.IndexOf("replica-announced");
        public static readonly int ReplicaLazyFlush = ConfigRegistry.IndexOf("replica-lazy-flush");
        public static readonly int ReplicaIgnoreMaxMemory = ConfigRegistry.IndexOf("replica-ignore-maxmemory");
        public static readonly int ReplBacklogSize = ConfigRegistry.IndexOf("repl-backlog-size");
        public static readonly int ReplBacklogTtl = ConfigRegistry.IndexOf("repl-backlog-ttl");
        public static readonly int ReplTimeout = ConfigRegistry.IndexOf("repl-timeout");
        public static readonly int ReplPingReplicaPeriod = ConfigRegistry.IndexOf("repl-ping-replica-period");
        public static readonly int ReplDisklessSync = ConfigRegistry.IndexOf("repl-diskless-sync");
        public static readonly int ReplDisklessSyncDelay = ConfigRegistry.IndexOf("repl-diskless-sync-delay");
        public static readonly int ReplDisklessSyncMaxReplicas = ConfigRegistry.IndexOf("repl-diskless-sync-max-replicas");
        public static readonly int ReplDisklessLoad = ConfigRegistry.IndexOf("repl-diskless-load");
        public static readonly int ReplDisableTcpNoDelay = ConfigRegistry.IndexOf("repl-disable-tcp-nodelay");
        public static readonly int MinReplicasToWrite = ConfigRegistry.IndexOf("min-replicas-to-write");
        public static readonly int MinReplicasMaxLag = ConfigRegistry.IndexOf("min-replicas-max-lag");
        public static readonly int MaxMemory = ConfigRegistry.IndexOf("maxmemory");
        public static readonly int MaxMemoryPolicy = ConfigRegistry.IndexOf("maxmemory-policy");
        public static readonly int MaxMemorySamples = ConfigRegistry.IndexOf("maxmemory-samples");
        public static readonly int LazyFreeLazyExpire = ConfigRegistry.IndexOf("lazyfree-lazy-expire");
        public static readonly int LazyFreeLazyServerDel = ConfigRegistry.IndexOf("lazyfree-lazy-server-del");
        public static readonly int LazyFreeLazyUserDel = ConfigRegistry.IndexOf("lazyfree-lazy-user-del");
        public static readonly int LazyFreeLazyUserFlush = ConfigRegistry.IndexOf("lazyfree-lazy-user-flush");
        public static readonly int HashMaxListpackEntries = ConfigRegistry.IndexOf("hash-max-listpack-entries");
        public static readonly int HashMaxListpackValue = ConfigRegistry.IndexOf("hash-max-listpack-value");
        public static readonly int ListMaxListpackSize = ConfigRegistry.IndexOf("list-max-listpack-size");
        public static readonly int ListCompressDepth = ConfigRegistry.IndexOf("list-compress-depth");
        public static readonly int SetMaxIntsetEntries = ConfigRegistry.IndexOf("set-max-intset-entries");
        public static readonly int ZsetMaxListpackEntries = ConfigRegistry.IndexOf("zset-max-listpack-entries");
        public static readonly int ZsetMaxListpackValue = ConfigRegistry.IndexOf("zset-max-listpack-value");
        public static readonly int StreamNodeMaxBytes = ConfigRegistry.IndexOf("stream-node-max-bytes");
        public static readonly int StreamNodeMaxEntries = ConfigRegistry.IndexOf("stream-node-max-entries");
        public static readonly int HllSparseMaxBytes = ConfigRegistry.IndexOf("hll-sparse-max-bytes");
        public static readonly int SlowlogLogSlowerThan = ConfigRegistry.IndexOf("slowlog-log-slower-than");
        public static readonly int SlowlogMaxLen = ConfigRegistry.IndexOf("slowlog-max-len");
        public static readonly int LatencyMonitorThreshold = ConfigRegistry.IndexOf("latency-monitor-threshold");
        public static readonly int LatencyTracking = ConfigRegistry.IndexOf("latency-tracking");
        public static readonly int LatencyTrackingInfoPercentiles = ConfigRegistry.IndexOf("latency-tracking-info-percentiles");
        public static readonly int BusyReplyThreshold = ConfigRegistry.IndexOf("busy-reply-threshold");
        public static readonly int AclLogMaxLen = ConfigRegistry.IndexOf("acllog-max-len");
        public static readonly int ShutdownTimeout = ConfigRegistry.IndexOf("shutdown-timeout");
        public static readonly int TrackingTableMaxKeys = ConfigRegistry.IndexOf("tracking-table-max-keys");
    }
}
