using System.Diagnostics;
using System.Net;
using OrleansReplica.Hosting.PubSub;
using OrleansReplica.Hosting.Replication.Master;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Clients;

/// <summary>One client connection's state, as CLIENT LIST and CLIENT INFO report it.</summary>
/// <remarks><paramref name="wake"/> makes the connection loop return from its pending read to write queued pushes.</remarks>
public sealed class ClientSession(long id, EndPoint? remote, EndPoint? local, Action abort, Action? wake = null)
{
    private long _lastInteraction = Stopwatch.GetTimestamp();
    private volatile bool _closeRequested;

    public long Id { get; } = id;

    public string Address { get; } = Format(remote);

    public string LocalAddress { get; } = Format(local);

    public long CreatedTicks { get; } = Environment.TickCount64;

    public string Name { get; set; } = "";

    public string LibraryName { get; set; } = "";

    public string LibraryVersion { get; set; } = "";

    public string User { get; set; } = "default";

    public bool Authenticated { get; set; }

    public int Db { get; set; }

    public RespProtocol Protocol { get; set; } = RespProtocol.Resp2;

    /// <summary>Full name of the last command, as CLIENT LIST's cmd= shows it.</summary>
    public string LastCommand { get; set; } = "NULL";

    public TransactionState Transaction { get; } = new();

    /// <summary>The channels, patterns and shard channels this client is subscribed to.</summary>
    public ClientSubscriptions Subscriptions { get; } = new();

    /// <summary>Messages published by other clients, waiting for this connection's loop to write them.</summary>
    public PushOutbox Outbox { get; } = new(wake);

    /// <summary>What a replica announced with REPLCONF before PSYNC (listening-port, ip-address, capa).</summary>
    public ReplicaHandshake ReplicaHandshake { get; } = new();

    /// <summary>Set once this connection is a replica of this silo (after PSYNC or SYNC): it then gets the stream, not replies.</summary>
    public ReplicaSender? Replica { get; set; }

    /// <summary>True for this replica's link to its master (CLIENT LIST flags=M).</summary>
    public bool IsMasterLink { get; init; }

    /// <summary>master_repl_offset after this client's last write (WAIT waits for replicas to reach it).</summary>
    public long WriteOffset { get; set; }

    /// <summary>Set by QUIT or CLIENT KILL: the connection closes once pending replies are written.</summary>
    public bool CloseRequested => _closeRequested;

    public long IdleSeconds => (long)Stopwatch.GetElapsedTime(Volatile.Read(ref _lastInteraction)).TotalSeconds;

    public long AgeSeconds => (Environment.TickCount64 - CreatedTicks) / 1000;

    /// <summary>Records a command at this Stopwatch timestamp, for CLIENT LIST's idle=.</summary>
    public void Touch(long timestamp) => Volatile.Write(ref _lastInteraction, timestamp);

    /// <summary>Closes after the current reply (QUIT).</summary>
    public void CloseAfterReply() => _closeRequested = true;

    /// <summary>Closes now, from another connection (CLIENT KILL, SHUTDOWN).</summary>
    public void Kill()
    {
        _closeRequested = true;
        abort();
    }

    /// <summary>The CLIENT LIST / CLIENT INFO line (without the trailing newline).</summary>
    public string Describe()
    {
        var subscriptions = Subscriptions;
        // Redis's order: S a replica of ours, M our master, P subscribed, x in MULTI; N for none.
        var flags = string.Concat(Replica is not null ? "S" : "", IsMasterLink ? "M" : "", subscriptions.Active ? "P" : "", Transaction.InMulti ? "x" : "");
        flags = flags.Length == 0 ? "N" : flags;
        var multi = Transaction.InMulti ? Transaction.Queued.Count : -1;
        return $"id={Id} addr={Address} laddr={LocalAddress} fd={8 + Id} name={Name} age={AgeSeconds} idle={IdleSeconds} flags={flags} db={Db} sub={subscriptions.ChannelCount} psub={subscriptions.PatternCount} ssub={subscriptions.ShardChannelCount} multi={multi} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1024 events=r cmd={LastCommand} user={User} redir=-1 resp={(int)Protocol} lib-name={LibraryName} lib-ver={LibraryVersion}";
    }

    private static string Format(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint ip => $"{ip.Address.MapToIPv4()}:{ip.Port}",
        null => "",
        _ => endpoint.ToString() ?? "",
    };
}
