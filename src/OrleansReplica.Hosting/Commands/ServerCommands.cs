using System.Globalization;
using System.Text;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Grains.Keyspace;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Commands;

/// <summary>INFO, ROLE, TIME, LASTSAVE, SHUTDOWN and the CLIENT, CONFIG and DEBUG families.</summary>
public static class ServerCommands
{
    public static void Register(CommandTable table)
    {
        table.Handle("info", Info, KeyScope.AllShards);
        table.Handle("role", Role);
        table.Handle("time", Time);
        table.Handle("lastsave", static c => c.Reply.WriteInteger(c.Client().Silo.Rdb.LastSaveUnixSeconds));
        table.Handle("shutdown", ShutdownAsync);
        ClientCommand.Register(table);
        ConfigCommand.Register(table);
        DebugCommand.Register(table);
        ClusterCommand.Register(table);
        PubSubCommands.Register(table);
    }

    private static void Info(CommandContext c)
    {
        var sections = new List<string>();
        for (var i = 1; i < c.Args.Count; i++)
        {
            sections.Add(c.ArgText(i));
        }
        var text = new ServerInfo(c.Client().Silo, c.Keyspace.HeldShards).Build(sections);
        c.Reply.WriteVerbatimString("txt", Encoding.UTF8.GetBytes(text));
    }

    /// <summary>ROLE on a master: its offset and, per replica, ip, port and acknowledged offset.</summary>
    private static void Role(CommandContext c)
    {
        var silo = c.Client().Silo;
        if (silo.Replica.IsReplica)
        {
            // ["slave", master host, master port, link state, offset]
            var role = silo.Replica.RoleReply();
            c.Reply.WriteArrayHeader(role.Length);
            foreach (var item in role)
            {
                if (item is long number)
                {
                    c.Reply.WriteInteger(number);
                }
                else
                {
                    c.Reply.WriteBulkString((string)item);
                }
            }
            return;
        }
        var replicas = silo.Replication.Replicas;
        c.Reply.WriteArrayHeader(3);
        c.Reply.WriteBulkString("master");
        c.Reply.WriteInteger(silo.Backlog.Offset);
        c.Reply.WriteArrayHeader(replicas.Count);
        foreach (var replica in replicas)
        {
            c.Reply.WriteArrayHeader(3);
            c.Reply.WriteBulkString(replica.Ip);
            c.Reply.WriteBulkString(replica.ListeningPort.ToString(CultureInfo.InvariantCulture));
            c.Reply.WriteBulkString(replica.AckOffset.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Time(CommandContext c)
    {
        var microseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        c.Reply.WriteArrayHeader(2);
        c.Reply.WriteBulkString(microseconds / 1_000_000);
        c.Reply.WriteBulkString(microseconds % 1_000_000);
    }

    private static async ValueTask ShutdownAsync(CommandContext c)
    {
        bool abort = false, force = false;
        bool? save = null;
        for (var i = 1; i < c.Args.Count; i++)
        {
            if (c.ArgIs(i, "ABORT"))
            {
                abort = true;
            }
            else if (c.ArgIs(i, "NOSAVE") || c.ArgIs(i, "SAVE"))
            {
                var wanted = c.ArgIs(i, "SAVE");
                if (save is { } other && other != wanted)
                {
                    c.Error(CommandErrors.Syntax); // SAVE and NOSAVE contradict each other
                    return;
                }
                save = wanted;
            }
            else if (c.ArgIs(i, "FORCE"))
            {
                force = true;
            }
            else if (!c.ArgIs(i, "NOW"))
            {
                c.Error(CommandErrors.Syntax);
                return;
            }
        }
        if (abort)
        {
            if (c.Args.Count > 2)
            {
                c.Error(CommandErrors.Syntax);
                return;
            }
            c.Error("ERR No shutdown in progress.");
            return;
        }
        var silo = c.Client().Silo;
        silo.Log.Warning("User requested shutdown...");
        if (!await silo.PrepareForShutdownAsync(save, force))
        {
            c.Error("ERR Errors trying to SHUTDOWN. Check logs.");
            return;
        }
        // The client sees the connection close, as with Redis; the silo stops outside this turn.
        c.Client().Session.CloseAfterReply();
        _ = Task.Run(silo.StopAsync);
    }
}
