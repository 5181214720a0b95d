using System.Diagnostics;
using System.Globalization;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Replication.Replica;

/// <summary>
/// What the replica link grain publishes for readers that must not wait for its turn: the READONLY
/// check of every write, INFO replication, ROLE. Only the grain (and the attempts of its current
/// run) change it.
/// </summary>
public sealed class ReplicaLinkStatus(Silo silo)
{
    private volatile ReplicaLinkRun? _run;
    private volatile bool _isReplica;
    private volatile string _masterHost = "";
    private volatile int _masterPort;
    private long _downSince;
    private long _cachedReadOffset;

    /// <summary>True from REPLICAOF host port (or the replicaof setting) until REPLICAOF NO ONE.</summary>
    public bool IsReplica => _isReplica;

    public string MasterHost => _masterHost;

    public int MasterPort => _masterPort;

    /// <summary>master_link_status:up — the stream is being applied.</summary>
    public bool LinkUp => _run is { State: ReplicaLinkState.Connected };

    public ReplicaLinkState State => _isReplica ? _run?.State ?? ReplicaLinkState.Connect : ReplicaLinkState.None;

    /// <summary>The attempts of the current REPLICAOF, while there are any.</summary>
    public ReplicaLinkRun? Run => _run;

    internal void Follow(ReplicaLinkRun run)
    {
        _masterHost = run.Host;
        _masterPort = run.Port;
        _run = run;
        _isReplica = true;
    }

    internal void BecomeMaster()
    {
        _run = null;
        _isReplica = false;
        _masterHost = "";
        _masterPort = 0;
    }

    /// <summary>The silo stops: the relation stays, the attempts end.</summary>
    internal ReplicaLinkRun? DetachRun()
    {
        var run = _run;
        _run = null;
        return run;
    }

    /// <summary>master_link_down_since_seconds counts from now (0: the link is not down).</summary>
    internal void LinkDown(bool down) => Volatile.Write(ref _downSince, down ? Stopwatch.GetTimestamp() : 0);

    /// <summary>slave_read_repl_offset while no stream is being read.</summary>
    internal long CachedReadOffset
    {
        get => Volatile.Read(ref _cachedReadOffset);
        set => Volatile.Write(ref _cachedReadOffset, value);
    }

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
            ("slave_read_repl_offset", Int(applier?.ReadOffset ?? CachedReadOffset)),
            ("slave_repl_offset", Int(silo.Backlog.Offset)),
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
        var config = silo.Config;
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
        return ["slave", MasterHost, (long)MasterPort, state, run?.Applier is null ? -1L : silo.Backlog.Offset];
    }

    internal static long SecondsSince(long timestamp) => (long)Stopwatch.GetElapsedTime(timestamp).TotalSeconds;

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
