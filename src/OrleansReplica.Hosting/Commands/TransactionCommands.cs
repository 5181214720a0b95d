using System.Diagnostics;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Commands;

/// <summary>MULTI, EXEC, DISCARD, WATCH and UNWATCH, with Redis's EXECABORT and WATCH rules.</summary>
public static class TransactionCommands
{
    public static void Register(CommandTable table)
    {
        table.Handle("multi", Multi);
        table.Handle("exec", ExecAsync, KeyScope.AllShards);
        table.Handle("discard", Discard, KeyScope.AllShards);
        table.Handle("watch", Watch);
        table.Handle("unwatch", Unwatch, KeyScope.AllShards);
    }

    /// <summary>Releases a closing connection's watched keys.</summary>
    public static async Task UnwatchAllAsync(CommandDispatcher dispatcher)
    {
        if (dispatcher.Context.Session.Transaction.Watched.Count == 0)
        {
            return;
        }
        await dispatcher.Executor.RunHoldingAllAsync(dispatcher.Context, 0, static (c, _) => ReleaseWatches(c));
    }

    private static void Multi(CommandContext c)
    {
        var transaction = c.Client().Session.Transaction;
        if (transaction.InMulti)
        {
            c.Error("ERR MULTI calls can not be nested");
            return;
        }
        transaction.InMulti = true;
        c.Reply.WriteOk();
    }

    private static void Discard(CommandContext c)
    {
        var transaction = c.Client().Session.Transaction;
        if (!transaction.InMulti)
        {
            c.Error("ERR DISCARD without MULTI");
            return;
        }
        transaction.ClearMulti();
        ReleaseWatches(c);
        c.Reply.WriteOk();
    }

    private static void Watch(CommandContext c)
    {
        var transaction = c.Client().Session.Transaction;
        if (transaction.InMulti)
        {
            c.Error("ERR WATCH inside MULTI is not allowed");
            return;
        }
        var db = c.Keyspace.Db;
        for (var i = 1; i < c.Args.Count; i++)
        {
            var key = c.Args[i];
            if (IsWatched(transaction, db, key))
            {
                continue;
            }
            c.Keyspace.ShardOf(key).Watches(db).Watch(key, transaction);
            transaction.Watched.Add((db, key.ToArray()));
        }
        c.Reply.WriteOk();
    }

    private static bool IsWatched(Clients.TransactionState transaction, int db, ReadOnlySpan<byte> key)
    {
        foreach (var (watchedDb, watchedKey) in transaction.Watched)
        {
            if (watchedDb == db && key.SequenceEqual(watchedKey))
            {
                return true;
            }
        }
        return false;
    }

    private static void Unwatch(CommandContext c)
    {
        ReleaseWatches(c);
        c.Reply.WriteOk();
    }

    /// <summary>Drops every WATCH of the client; needs all shard turns held.</summary>
    public static void ReleaseWatches(CommandContext c)
    {
        var transaction = c.Client().Session.Transaction;
        foreach (var (db, key) in transaction.Watched)
        {
            c.Keyspace.ShardOf(key).Watches(db).Unwatch(key, transaction);
        }
        transaction.ClearWatches();
    }

    /// <summary>Runs the queued commands back to back while every shard's turn is held, so nothing interleaves.</summary>
    private static async ValueTask ExecAsync(CommandContext c)
    {
        var client = c.Client();
        var transaction = client.Session.Transaction;
        if (!transaction.InMulti)
        {
            c.Error("ERR EXEC without MULTI");
            return;
        }
        if (transaction.Aborted)
        {
            transaction.ClearMulti();
            ReleaseWatches(c);
            c.Error(CommandErrors.ExecAbort);
            return;
        }
        if (transaction.WatchedKeyModified)
        {
            transaction.ClearMulti();
            ReleaseWatches(c);
            c.Reply.WriteNullArray();
            return;
        }
        var exec = c.Command;
        var execArgs = c.Args;
        var queued = transaction.Queued.ToArray();
        transaction.ClearMulti();
        var reader = new RespRequestReader { Limits = client.Silo.Limits };
        var args = new CommandArguments();
        c.Reply.WriteArrayHeader(queued.Length);
        // The writes of the transaction reach replicas and the AOF together, inside MULTI/EXEC.
        c.Keyspace.Propagation?.BeginTransaction();
        foreach (var (command, frame) in queued)
        {
            reader.TryRead(frame, args, out int _, out _);
            c.Args = args;
            c.Command = command;
            c.Failed = false;
            client.Session.LastCommand = command.Name;
            var started = Stopwatch.GetTimestamp();
            await c.RunAsync();
            command.RecordCall(Stopwatch.GetElapsedTime(started));
            if (c.Failed)
            {
                command.RecordFailed();
            }
        }
        c.Keyspace.Propagation?.EndTransaction();
        c.Args = execArgs;
        c.Command = exec;
        c.PreventPropagation();
        c.Failed = false;
        ReleaseWatches(c);
    }
}
