using OrleansReplica.Grains.Commands;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Hosting.Commands;

/// <summary>PING, ECHO, QUIT, RESET, SELECT, AUTH and HELLO: the commands about the connection itself.</summary>
public static class ConnectionCommands
{
    private const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

    public static void Register(CommandTable table)
    {
        table.Handle("ping", Ping);
        table.Handle("echo", static c => c.Reply.WriteBulkString(c.Args[1]));
        table.Handle("quit", Quit);
        table.Handle("reset", Reset, KeyScope.AllShards);
        table.Handle("select", Select);
        table.Handle("auth", Auth);
        table.Handle("hello", Hello);
    }

    private static void Ping(CommandContext c)
    {
        if (c.Args.Count > 2)
        {
            c.Error(CommandErrors.WrongArgumentCount("ping"));
        }
        else if (c.Reply.Protocol == RespProtocol.Resp2 && c.Client().Session.Subscriptions.Active)
        {
            // A RESP2 subscriber cannot tell a plain reply from a message: PING answers in the message shape.
            c.Reply.WriteArrayHeader(2);
            c.Reply.WriteBulkString("pong"u8);
            c.Reply.WriteBulkString(c.Args.Count == 1 ? ReadOnlySpan<byte>.Empty : c.Args[1]);
        }
        else if (c.Args.Count == 1)
        {
            c.Reply.WritePong();
        }
        else
        {
            c.Reply.WriteBulkString(c.Args[1]);
        }
    }

    private static void Quit(CommandContext c)
    {
        c.Reply.WriteOk();
        c.Client().Session.CloseAfterReply();
    }

    private static void Reset(CommandContext c)
    {
        var client = c.Client();
        var session = client.Session;
        session.Transaction.ClearMulti();
        TransactionCommands.ReleaseWatches(c);
        client.Silo.PubSub.UnsubscribeAll(session);
        // Messages published before the subscriptions were dropped go out before +RESET.
        session.Outbox.DrainTo(c.Reply.Output);
        client.Keyspace.Db = 0;
        session.Db = 0;
        session.Protocol = RespProtocol.Resp2;
        c.Reply.Protocol = RespProtocol.Resp2;
        session.Name = "";
        session.Authenticated = !client.Silo.RequiresAuthentication;
        c.Reply.WriteSimpleString("RESET");
    }

    private static void Select(CommandContext c)
    {
        if (!c.TryGetInt64(1, out var index))
        {
            return;
        }
        if (index < 0 || index >= c.Client().Silo.KeyspaceOptions.Databases)
        {
            c.Error(CommandErrors.DbIndexOutOfRange);
            return;
        }
        c.Keyspace.Db = (int)index;
        c.Reply.WriteOk();
    }

    private static void Auth(CommandContext c)
    {
        if (c.Args.Count > 3)
        {
            c.Error(CommandErrors.Syntax);
            return;
        }
        var client = c.Client();
        if (c.Args.Count == 2 && !client.Silo.RequiresAuthentication)
        {
            c.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
            return;
        }
        var user = c.Args.Count == 3 ? c.ArgText(1) : "default";
        if (!TryAuthenticate(client, user, c.ArgText(c.Args.Count - 1)))
        {
            c.Error(WrongPass);
            return;
        }
        c.Reply.WriteOk();
    }

    /// <summary>Only the default user exists; without requirepass it accepts any password (nopass).</summary>
    private static bool TryAuthenticate(ClientContext client, string user, string password)
    {
        if (user != "default")
        {
            return false;
        }
        if (client.Silo.RequiresAuthentication && password != client.Silo.Config.RequirePass)
        {
            return false;
        }
        client.Session.Authenticated = true;
        client.Session.User = user;
        return true;
    }

    private static void Hello(CommandContext c)
    {
        var client = c.Client();
        var session = client.Session;
        var protocol = session.Protocol;
        var next = 1;
        if (c.Args.Count > 1)
        {
            if (!Protocol.Text.RedisNumber.TryParseInt64(c.Args[1], out var version))
            {
                c.Error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (version is not (2 or 3))
            {
                c.Error("NOPROTO unsupported protocol version");
                return;
            }
            protocol = (RespProtocol)version;
            next = 2;
        }
        string? name = null;
        for (var i = next; i < c.Args.Count; i++)
        {
            var more = c.Args.Count - i - 1;
            if (c.ArgIs(i, "AUTH") && more >= 2)
            {
                if (!TryAuthenticate(client, c.ArgText(i + 1), c.ArgText(i + 2)))
                {
                    c.Error(WrongPass);
                    return;
                }
                i += 2;
            }
            else if (c.ArgIs(i, "SETNAME") && more >= 1)
            {
                name = c.ArgText(i + 1);
                i++;
            }
            else
            {
                c.Error($"ERR Syntax error in HELLO option '{CommandErrors.Truncate(c.ArgText(i))}'");
                return;
            }
        }
        if (!session.Authenticated)
        {
            c.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }
        if (name is not null)
        {
            if (!ClientCommand.IsValidName(name))
            {
                c.Error(ClientCommand.InvalidNameError);
                return;
            }
            session.Name = name;
        }
        session.Protocol = protocol;
        var reply = c.Reply;
        reply.Protocol = protocol;
        reply.WriteMapHeader(7);
        reply.WriteBulkString("server");
        reply.WriteBulkString("redis");
        reply.WriteBulkString("version");
        reply.WriteBulkString(ServerInfo.RedisVersion);
        reply.WriteBulkString("proto");
        reply.WriteInteger((int)protocol);
        reply.WriteBulkString("id");
        reply.WriteInteger(session.Id);
        reply.WriteBulkString("mode");
        reply.WriteBulkString("standalone");
        reply.WriteBulkString("role");
        reply.WriteBulkString("master");
        reply.WriteBulkString("modules");
        reply.WriteArrayHeader(0);
    }
}
