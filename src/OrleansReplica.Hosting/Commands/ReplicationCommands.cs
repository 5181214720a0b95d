using System.IO.Pipelines;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Hosting.Connections;
using OrleansReplica.Hosting.Replication.Master;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Hosting.Commands;

/// <summary>The master side of the replication protocol: REPLCONF, PSYNC, SYNC, and WAIT.</summary>
public static class ReplicationCommands
{
    public static void Register(CommandTable table)
    {
        table.Handle("replconf", ReplConf);
        table.Handle("psync", static c => AttachReplicaAsync(c, legacySync: false));
        table.Handle("sync", static c => AttachReplicaAsync(c, legacySync: true));
        table.Handle("wait", WaitAsync);
    }

    /// <summary>REPLCONF &lt;option&gt; &lt;value&gt; ...: what a replica announces, and its acknowledgements (which get no reply).</summary>
    private static void ReplConf(CommandContext c)
    {
        if (c.Args.Count % 2 == 0)
        {
            c.Error(CommandErrors.Syntax);
            return;
        }
        var session = c.Client().Session;
        var handshake = session.ReplicaHandshake;
        for (var i = 1; i < c.Args.Count; i += 2)
        {
            if (c.ArgIs(i, "LISTENING-PORT"))
            {
                if (!RedisNumber.TryParseInt64(c.Args[i + 1], out var port) || port < 0 || port > 65535)
                {
                    c.Error(CommandErrors.NotInteger);
                    return;
                }
                handshake.ListeningPort = (int)port;
            }
            else if (c.ArgIs(i, "IP-ADDRESS"))
            {
                handshake.IpAddress = c.ArgText(i + 1);
            }
            else if (c.ArgIs(i, "CAPA"))
            {
                handshake.CapaEof |= c.ArgIs(i + 1, "EOF");
                handshake.CapaPsync2 |= c.ArgIs(i + 1, "PSYNC2");
            }
            else if (c.ArgIs(i, "ACK"))
            {
                // REPLCONF ACK <offset> [FACK <aof offset>]: no reply, only from an attached replica.
                if (session.Replica is { } replica && RedisNumber.TryParseInt64(c.Args[i + 1], out var offset))
                {
                    replica.Acknowledge(offset);
                }
                return;
            }
            else if (c.ArgIs(i, "GETACK"))
            {
                // Only a master asks for acknowledgements; a client asking us gets nothing.
                return;
            }
            else if (c.ArgIs(i, "RDB-ONLY") || c.ArgIs(i, "RDB-FILTER-ONLY"))
            {
                // Accepted for compatibility with tools that ask for the snapshot only.
            }
            else
            {
                c.Error($"ERR Unrecognized REPLCONF option: {c.ArgText(i)}");
                return;
            }
        }
        c.Reply.WriteOk();
    }

    /// <summary>PSYNC &lt;replid&gt; &lt;offset&gt; and SYNC: the connection becomes a replica fed by this silo.</summary>
    private static async ValueTask AttachReplicaAsync(CommandContext c, bool legacySync)
    {
        var client = c.Client();
        var session = client.Session;
        if (session.Replica is not null)
        {
            return; // already a replica: Redis ignores a second PSYNC
        }
        var replId = "?";
        var offset = -1L;
        if (!legacySync)
        {
            replId = c.ArgText(1);
            if (!RedisNumber.TryParseInt64(c.Args[2], out offset))
            {
                c.Error(CommandErrors.NotInteger);
                return;
            }
        }
        var silo = client.Silo;
        if (silo.Replica.IsReplica && !silo.Replica.LinkUp)
        {
            c.Error("NOMASTERLINK Can't SYNC while not connected with my master");
            return;
        }
        var handshake = session.ReplicaHandshake;
        // Replies to what the replica sent before (PING, REPLCONF) go out ahead of the sync.
        var output = c.Reply.Output is ReplyBuffer replies ? replies.Detach() : (PipeWriter)c.Reply.Output;
        var sender = new ReplicaSender(session, output, silo.Config, silo.Log)
        {
            ListeningPort = handshake.ListeningPort,
            AnnouncedIp = handshake.IpAddress,
            AcceptsEofTransfer = handshake.CapaEof && !legacySync,
            AcceptsPsync2 = handshake.CapaPsync2,
        };
        // From here on the connection's output belongs to the sender; anything else the replica sends gets no reply.
        session.Replica = sender;
        c.Reply.Output = new DiscardingBufferWriter();
        silo.Log.Notice($"Replica {sender.Ip}:{sender.ListeningPort} asks for synchronization");
        await silo.Replication.AttachAsync(sender, replId, offset, legacySync);
    }

    /// <summary>WAIT numreplicas timeout: how many replicas acknowledged this client's writes.</summary>
    private static async ValueTask WaitAsync(CommandContext c)
    {
        var client = c.Client();
        if (client.Silo.Replica.IsReplica)
        {
            c.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
            return;
        }
        if (!c.TryGetInt64(1, out var needed) || !c.TryGetInt64(2, out var timeoutMs, "ERR timeout is not an integer or out of range"))
        {
            return;
        }
        if (timeoutMs < 0)
        {
            c.Error("ERR timeout is negative");
            return;
        }
        var replication = client.Silo.Replication;
        var target = client.Session.WriteOffset;
        if (client.Session.Transaction.InMulti || needed <= 0)
        {
            c.Reply.WriteInteger(replication.Replicas.Count(replica => replica.AckOffset >= target));
            return;
        }
        TimeSpan? timeout = timeoutMs == 0 ? null : TimeSpan.FromMilliseconds(timeoutMs);
        var session = client.Session;
        var acknowledged = await replication.WaitForAcknowledgementsAsync(target, (int)Math.Min(needed, int.MaxValue), timeout, () => session.CloseRequested);
        c.Reply.WriteInteger(acknowledged);
    }
}
