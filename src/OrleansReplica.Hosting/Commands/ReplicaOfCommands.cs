using OrleansReplica.Grains.Commands;
using OrleansReplica.Hosting.Replication.Replica;
using OrleansReplica.Protocol.Text;
using OrleansReplica.Runtime;

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
        // Inside EXEC shard turns are held: the link may be applying a command of the old master that
        // waits for one of them, so it is not waited for (the change happens as soon as EXEC ends).
        var holdsShardTurns = c.Keyspace.HeldShards.Any();
        if (c.ArgIs(1, "NO") && c.ArgIs(2, "ONE"))
        {
            await CallLinkAsync(silo.ReplicaLink, holdsShardTurns, static async link =>
            {
                await link.PromoteAsync();
                return true;
            });
            c.Reply.WriteOk();
            return;
        }
        if (!RedisNumber.TryParseInt64(c.Args[2], out var port) || port < 0 || port > 65535)
        {
            c.Error("ERR Invalid master port");
            return;
        }
        var host = c.ArgText(1);
        if (!await CallLinkAsync(silo.ReplicaLink, holdsShardTurns, link => link.ReplicaOfAsync(host, (int)port)))
        {
            silo.Log.Notice("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            c.Reply.WriteSimpleString("OK Already connected to specified master");
            return;
        }
        silo.Log.Notice($"REPLICAOF {c.ArgText(1)}:{port} enabled (user request from 'id={c.Client().Session.Id} addr={c.Client().Session.Address}')");
        c.Reply.WriteOk();
    }

    /// <summary>
    /// Calls the replica link grain; with shard turns held, only when its turn is free right now (its
    /// REPLICAOF turns never wait), else the call is queued and not waited for.
    /// </summary>
    private static async Task<bool> CallLinkAsync(IReplicaLinkGrain link, bool holdsShardTurns, Func<IReplicaLinkGrain, Task<bool>> call)
    {
        if (!holdsShardTurns)
        {
            return await call(link);
        }
        if (link is GrainReference<IReplicaLinkGrain> reference && reference.TryAcquireTurn(out var lease))
        {
            using (lease)
            {
                return await call(lease.Grain);
            }
        }
        _ = call(link);
        return true;
    }
}
