using OrleansReplica.Grains.Commands;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Hosting.Commands;

/// <summary>REPLICAOF and its old name SLAVEOF: follow a master, or (NO ONE) become a master, with Redis 7.0's replies.</summary>
public static class ReplicaOfCommands
{
    public static void Register(CommandTable table)
    {
        table.Handle("replicaof", ReplicaOfAsync);
        table.Handle("slaveof", ReplicaOfAsync);
    }

    private static async ValueTask ReplicaOfAsync(CommandContext c)
    {
        var silo = c.Client().Silo;
        if (silo.Config.ClusterEnabled)
        {
            c.Error("ERR REPLICAOF not allowed in cluster mode.");
            return;
        }
        // Inside EXEC every shard turn is held: a command of the old master in flight cannot be waited for.
        var mayWait = !c.Keyspace.HeldShards.Any();
        if (c.ArgIs(1, "NO") && c.ArgIs(2, "ONE"))
        {
            await silo.Replica.PromoteAsync(mayWait);
            c.Reply.WriteOk();
            return;
        }
        if (!RedisNumber.TryParseInt64(c.Args[2], out var port) || port < 0 || port > 65535)
        {
            c.Error("ERR Invalid master port");
            return;
        }
        if (!await silo.Replica.ReplicaOfAsync(c.ArgText(1), (int)port, mayWait))
        {
            silo.Log.Notice("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            c.Reply.WriteSimpleString("OK Already connected to specified master");
            return;
        }
        silo.Log.Notice($"REPLICAOF {c.ArgText(1)}:{port} enabled (user request from 'id={c.Client().Session.Id} addr={c.Client().Session.Address}')");
        c.Reply.WriteOk();
    }
}
