using System.Text;
using OrleansReplica.Grains.Commands;
using OrleansReplica.Hosting.Clients;

namespace OrleansReplica.Hosting.Commands;

/// <summary>CLIENT ID, SETNAME, GETNAME, SETINFO, LIST, INFO, KILL and HELP.</summary>
public static class ClientCommand
{
    public const string InvalidNameError = "ERR Client names cannot contain spaces, newlines or special characters.";

    public static void Register(CommandTable table)
    {
        table.Handle("client|id", static c => c.Reply.WriteInteger(c.Client().Session.Id));
        table.Handle("client|setname", SetName);
        table.Handle("client|getname", GetName);
        table.Handle("client|setinfo", SetInfo);
        table.Handle("client|list", List);
        table.Handle("client|info", static c => c.Reply.WriteVerbatimString("txt", Encoding.UTF8.GetBytes(c.Client().Session.Describe() + "\n")));
        table.Handle("client|kill", Kill);
        table.Handle("client|help", Help);
    }

    /// <summary>Redis accepts only printable ASCII without spaces in client names and library info.</summary>
    public static bool IsValidName(string name)
    {
        foreach (var ch in name)
        {
            if (ch < '!' || ch > '~')
            {
                return false;
            }
        }
        return true;
    }

    private static void SetName(CommandContext c)
    {
        var name = c.ArgText(2);
        if (!IsValidName(name))
        {
            c.Error(InvalidNameError);
            return;
        }
        c.Client().Session.Name = name;
        c.Reply.WriteOk();
    }

    private static void GetName(CommandContext c)
    {
        var name = c.Client().Session.Name;
        if (name.Length == 0)
        {
            c.Reply.WriteNullBulk();
        }
        else
        {
            c.Reply.WriteBulkString(name);
        }
    }

    private static void SetInfo(CommandContext c)
    {
        var attribute = c.ArgText(2);
        var value = c.ArgText(3);
        var session = c.Client().Session;
        var lower = attribute.ToLowerInvariant();
        if (lower is not ("lib-name" or "lib-ver"))
        {
            c.Error($"ERR Unrecognized option '{CommandErrors.Truncate(attribute)}'");
            return;
        }
        if (!IsValidName(value))
        {
            c.Error($"ERR {lower} cannot contain spaces, newlines or special characters.");
            return;
        }
        if (lower == "lib-name")
        {
            session.LibraryName = value;
        }
        else
        {
            session.LibraryVersion = value;
        }
        c.Reply.WriteOk();
    }

    private static void List(CommandContext c)
    {
        var clients = c.Client().Silo.Clients.All;
        if (c.Args.Count > 2)
        {
            if (c.ArgIs(2, "TYPE") && c.Args.Count == 4)
            {
                var type = c.ArgText(3).ToLowerInvariant();
                if (type is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                {
                    c.Error($"ERR Unknown client type '{CommandErrors.Truncate(c.ArgText(3))}'");
                    return;
                }
                clients = clients.Where(ClientsOfType(type));
            }
            else if (c.ArgIs(2, "ID") && c.Args.Count > 3)
            {
                var ids = new HashSet<long>();
                for (var i = 3; i < c.Args.Count; i++)
                {
                    if (!Protocol.Text.RedisNumber.TryParseInt64(c.Args[i], out var id))
                    {
                        c.Error("ERR Invalid client ID");
                        return;
                    }
                    ids.Add(id);
                }
                clients = clients.Where(client => ids.Contains(client.Id));
            }
            else
            {
                c.Error(CommandErrors.Syntax);
                return;
            }
        }
        var text = new StringBuilder();
        foreach (var client in clients)
        {
            text.Append(client.Describe()).Append('\n');
        }
        c.Reply.WriteVerbatimString("txt", Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static void Kill(CommandContext c)
    {
        var self = c.Client().Session;
        var registry = c.Client().Silo.Clients;
        if (c.Args.Count == 3)
        {
            // Old form: CLIENT KILL addr:port, an error when nobody matches.
            var address = c.ArgText(2);
            var target = registry.All.FirstOrDefault(client => client.Address == address);
            if (target is null)
            {
                c.Error("ERR No such client");
                return;
            }
            Close(target, self, registry);
            c.Reply.WriteOk();
            return;
        }
        if (c.Args.Count % 2 != 0)
        {
            c.Error(CommandErrors.Syntax);
            return;
        }
        var filters = new List<Func<ClientSession, bool>>();
        var skipMe = true;
        for (var i = 2; i < c.Args.Count; i += 2)
        {
            var value = c.ArgText(i + 1);
            if (c.ArgIs(i, "ID"))
            {
                if (!Protocol.Text.RedisNumber.TryParseInt64(c.Args[i + 1], out var id) || id <= 0)
                {
                    c.Error("ERR client-id should be greater than 0");
                    return;
                }
                filters.Add(client => client.Id == id);
            }
            else if (c.ArgIs(i, "ADDR"))
            {
                filters.Add(client => client.Address == value);
            }
            else if (c.ArgIs(i, "LADDR"))
            {
                filters.Add(client => client.LocalAddress == value);
            }
            else if (c.ArgIs(i, "USER"))
            {
                filters.Add(client => client.User == value);
            }
            else if (c.ArgIs(i, "TYPE"))
            {
                var type = value.ToLowerInvariant();
                if (type is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                {
                    c.Error($"ERR Unknown client type '{CommandErrors.Truncate(value)}'");
                    return;
                }
                filters.Add(ClientsOfType(type));
            }
            else if (c.ArgIs(i, "SKIPME"))
            {
                if (value.Equals("yes", StringComparison.OrdinalIgnoreCase))
                {
                    skipMe = true;
                }
                else if (value.Equals("no", StringComparison.OrdinalIgnoreCase))
                {
                    skipMe = false;
                }
                else
                {
                    c.Error(CommandErrors.Syntax);
                    return;
                }
            }
            else
            {
                c.Error(CommandErrors.Syntax);
                return;
            }
        }
        var killed = 0;
        foreach (var client in registry.All.ToArray())
        {
            if ((skipMe && client == self) || !filters.TrueForAll(filter => filter(client)))
            {
                continue;
            }
            Close(client, self, registry);
            killed++;
        }
        c.Reply.WriteInteger(killed);
    }

    /// <summary>
    /// The killed client leaves the registry before the reply, as Redis frees it at once; killing
    /// oneself closes after this reply is written.
    /// </summary>
    private static void Close(ClientSession target, ClientSession self, ClientRegistry registry)
    {
        registry.Remove(target);
        if (target == self)
        {
            target.CloseAfterReply();
        }
        else
        {
            target.Kill();
        }
    }

    private static void Help(CommandContext c)
    {
        string[] lines =
        [
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "    * ID <client-id>",
            "      Kill connections by client id.",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "SETINFO <option> <value>",
            "    Set client meta attr. Options are:",
            "    * LIB-NAME: the client lib name.",
            "    * LIB-VER: the client lib version.",
            "HELP",
            "    Print this help.",
        ];
        c.Reply.WriteArrayHeader(lines.Length);
        foreach (var line in lines)
        {
            c.Reply.WriteSimpleString(line);
        }
    }

    /// <summary>CLIENT LIST/KILL TYPE: normal clients, pubsub subscribers, this replica's master, or replicas of this silo.</summary>
    private static Func<ClientSession, bool> ClientsOfType(string type) => type switch
    {
        "normal" => static client => !client.Subscriptions.Active && !client.IsMasterLink && client.Replica is null,
        "pubsub" => static client => client.Subscriptions.Active,
        "master" => static client => client.IsMasterLink,
        _ => static client => client.Replica is not null, // replica, slave
    };
}
