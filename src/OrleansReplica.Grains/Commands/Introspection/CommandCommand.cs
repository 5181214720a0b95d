using System.Numerics;
using System.Text;
using OrleansReplica.Grains.Commands.Metadata;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Grains.Commands.Introspection;

/// <summary>
/// COMMAND and its subcommands: Redis 7.0's own metadata for the commands this server handles,
/// replied with the same bytes as Redis (a container lists only its handled subcommands).
/// </summary>
public static class CommandCommand
{
    private const string InvalidCommand = "ERR Invalid command specified";
    private const string NoKeyArguments = "ERR The command has no key arguments";
    private const string InvalidArgumentCount = "ERR Invalid number of arguments specified for command";
    private const string InvalidArguments = "ERR Invalid arguments specified for command";

    private static readonly string[] HelpLines =
    [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Handle("command", c => InfoOfAll(table, c.Reply));
        table.Handle("command|count", c => c.Reply.WriteInteger(table.Commands.Count()));
        table.Handle("command|info", c => Info(table, c));
        table.Handle("command|docs", c => Docs(table, c));
        table.Handle("command|getkeys", c => GetKeys(table, c, withFlags: false));
        table.Handle("command|getkeysandflags", c => GetKeys(table, c, withFlags: true));
        table.Handle("command|list", c => List(table, c));
        table.Handle("command|help", Help);
    }

    private static void InfoOfAll(CommandTable table, RespWriter reply)
    {
        var commands = table.Commands.ToList();
        reply.WriteArrayHeader(commands.Count);
        foreach (var command in commands)
        {
            WriteInfo(table, command, reply);
        }
    }

    /// <summary>COMMAND INFO [name ...]: one entry per name, null for a name this server does not handle.</summary>
    private static void Info(CommandTable table, CommandContext context)
    {
        var args = context.Args;
        if (args.Count == 2)
        {
            InfoOfAll(table, context.Reply);
            return;
        }
        context.Reply.WriteArrayHeader(args.Count - 2);
        for (var i = 2; i < args.Count; i++)
        {
            if (Resolve(table, args[i]) is { } command)
            {
                WriteInfo(table, command, context.Reply);
            }
            else
            {
                context.Reply.WriteNullBulk();
            }
        }
    }

    /// <summary>COMMAND DOCS [name ...]: a map from name to documentation; unknown names are left out.</summary>
    private static void Docs(CommandTable table, CommandContext context)
    {
        var args = context.Args;
        var commands = new List<CommandDefinition>();
        if (args.Count == 2)
        {
            commands.AddRange(table.Commands);
        }
        for (var i = 2; i < args.Count; i++)
        {
            if (Resolve(table, args[i]) is { } command)
            {
                commands.Add(command);
            }
        }
        context.Reply.WriteMapHeader(commands.Count);
        foreach (var command in commands)
        {
            var metadata = MetadataOf(table, command);
            context.Reply.WriteBulkString(metadata.NameUtf8);
            metadata.WriteDocs(context.Reply, VisibleSubcommands(table, command));
        }
    }

    /// <summary>COMMAND GETKEYS / GETKEYSANDFLAGS command arg ...: the key arguments, as Redis finds them.</summary>
    private static void GetKeys(CommandTable table, CommandContext context, bool withFlags)
    {
        var args = context.Args;
        var command = table.Find(args[2]);
        if (command?.Subcommands is not null && args.Count > 3)
        {
            command = table.FindSubcommand(command, args[3]);
        }
        if (command is null)
        {
            context.Error(InvalidCommand);
            return;
        }
        var metadata = MetadataOf(table, command);
        if (!CommandKeyFinder.HasKeys(metadata))
        {
            context.Error(NoKeyArguments);
            return;
        }
        if (!command.AcceptsArgumentCount(args.Count - 2))
        {
            context.Error(InvalidArgumentCount);
            return;
        }
        var keys = new List<KeyReference>();
        CommandKeyFinder.FindKeys(metadata, args, 2, keys);
        if (keys.Count == 0 && (command.Flags & CommandFlags.NoMandatoryKeys) == 0)
        {
            context.Error(InvalidArguments);
            return;
        }
        var reply = context.Reply;
        reply.WriteArrayHeader(keys.Count);
        foreach (var key in keys)
        {
            if (!withFlags)
            {
                reply.WriteBulkString(args[2 + key.Position]);
                continue;
            }
            reply.WriteArrayHeader(2);
            reply.WriteBulkString(args[2 + key.Position]);
            reply.WriteSetHeader(BitOperations.PopCount((uint)key.Flags));
            for (var bit = 0; bit < KeySpec.FlagNames.Count; bit++)
            {
                if (((int)key.Flags & (1 << bit)) != 0)
                {
                    reply.WriteSimpleString(KeySpec.FlagNames[bit]);
                }
            }
        }
    }

    /// <summary>COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]: names of commands and subcommands.</summary>
    private static void List(CommandTable table, CommandContext context)
    {
        var args = context.Args;
        Func<CommandMetadata, bool> filter;
        if (args.Count == 2)
        {
            filter = static _ => true;
        }
        else if (args.Count == 5 && context.ArgIs(2, "FILTERBY"))
        {
            var value = args[4].ToArray();
            if (context.ArgIs(3, "MODULE"))
            {
                filter = static _ => false; // no modules
            }
            else if (context.ArgIs(3, "ACLCAT"))
            {
                var category = Encoding.UTF8.GetString(value);
                filter = c => c.AclCategories.Any(a => string.Equals(a, category, StringComparison.OrdinalIgnoreCase));
            }
            else if (context.ArgIs(3, "PATTERN"))
            {
                filter = c => CommandNamePattern.IsMatch(value, c.NameUtf8);
            }
            else
            {
                context.Error(CommandErrors.Syntax);
                return;
            }
        }
        else
        {
            context.Error(CommandErrors.Syntax);
            return;
        }
        var names = new List<byte[]>();
        foreach (var command in table.Commands)
        {
            var metadata = MetadataOf(table, command);
            if (filter(metadata))
            {
                names.Add(metadata.NameUtf8);
            }
            names.AddRange(VisibleSubcommands(table, command).Where(filter).Select(s => s.NameUtf8));
        }
        context.Reply.WriteArrayHeader(names.Count);
        foreach (var name in names)
        {
            context.Reply.WriteBulkString(name);
        }
    }

    private static void Help(CommandContext context)
    {
        context.Reply.WriteArrayHeader(HelpLines.Length);
        foreach (var line in HelpLines)
        {
            context.Reply.WriteSimpleString(line);
        }
    }

    /// <summary>A handled command by "name" or "container|sub", ASCII case-insensitive, as COMMAND INFO and DOCS name them.</summary>
    private static CommandDefinition? Resolve(CommandTable table, ReadOnlySpan<byte> name)
    {
        var bar = name.IndexOf((byte)'|');
        if (bar < 0)
        {
            return table.Find(name);
        }
        var sub = name[(bar + 1)..];
        return sub.Contains((byte)'|') || table.Find(name[..bar]) is not { } container ? null : table.FindSubcommand(container, sub);
    }

    private static void WriteInfo(CommandTable table, CommandDefinition command, RespWriter reply) =>
        MetadataOf(table, command).WriteInfo(reply, VisibleSubcommands(table, command));

    private static CommandMetadata MetadataOf(CommandTable table, CommandDefinition command) =>
        table.Metadata.Find(command.Name) ?? throw new InvalidOperationException($"No metadata for '{command.Name}'.");

    /// <summary>The subcommands a container lists: the handled ones, in metadata order.</summary>
    private static List<CommandMetadata> VisibleSubcommands(CommandTable table, CommandDefinition command)
    {
        var visible = new List<CommandMetadata>();
        if (command.Subcommands is not null)
        {
            foreach (var sub in MetadataOf(table, command).Subcommands)
            {
                var row = command.Subcommands[sub.Name[(command.Name.Length + 1)..]];
                if (row.HasHandler)
                {
                    visible.Add(sub);
                }
            }
        }
        return visible;
    }
}
