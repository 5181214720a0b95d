using OrleansReplica.Grains.Commands.Metadata;

namespace OrleansReplica.Grains.Commands;

/// <summary>
/// The server's commands: one row per Redis 7.0 command and subcommand, with Redis's metadata, and
/// the handlers attached to them. Only rows with a handler (or containers with a handled subcommand)
/// are visible to clients. Handlers are attached while the server is set up, before lookups start.
/// </summary>
public sealed class CommandTable
{
    private readonly Dictionary<string, CommandDefinition> _commands = new(CommandNameComparer.Instance);
    private readonly Dictionary<string, CommandDefinition>.AlternateLookup<ReadOnlySpan<byte>> _byUtf8;
    private readonly List<CommandDefinition> _ordered = [];

    private CommandTable(RedisCommandMetadata metadata)
    {
        Metadata = metadata;
        foreach (var command in metadata.Commands)
        {
            var row = CreateRow(command);
            _commands.Add(row.Name, row);
            _ordered.Add(row);
        }
        _byUtf8 = _commands.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The metadata the rows were built from (COMMAND INFO / DOCS replies, key specs, ACL categories).</summary>
    public RedisCommandMetadata Metadata { get; }

    /// <summary>Visible top-level rows, in name order.</summary>
    public IEnumerable<CommandDefinition> Commands => _ordered.Where(IsVisible);

    /// <summary>A table of every Redis 7.0 command, none of them handled yet.</summary>
    public static CommandTable FromRedisMetadata() => new(RedisCommandMetadata.Redis70);

    /// <summary>A table built from other metadata in the same format.</summary>
    public static CommandTable FromMetadata(RedisCommandMetadata metadata) => new(metadata);

    /// <summary>
    /// Attaches a handler to "name" or "container|sub"; the scope defaults to Keys when Redis declares key positions.
    /// <paramref name="constantTime"/> marks a command that takes constant time here although Redis does not flag it fast.
    /// </summary>
    public void Handle(string name, CommandHandler handler, KeyScope? scope = null, bool constantTime = false)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var row = Row(name);
        row.AsyncHandler = null;
        row.Handler = handler;
        row.Scope = scope ?? DefaultScope(row);
        row.ConstantTime = constantTime || (row.Flags & CommandFlags.Fast) != 0;
    }

    /// <summary>Attaches a handler that must wait; see <see cref="Handle(string, CommandHandler, KeyScope?)"/>.</summary>
    public void Handle(string name, AsyncCommandHandler handler, KeyScope? scope = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var row = Row(name);
        row.Handler = null;
        row.AsyncHandler = handler;
        row.Scope = scope ?? DefaultScope(row);
    }

    /// <summary>A visible top-level command by name, ASCII case-insensitive; does not allocate.</summary>
    public CommandDefinition? Find(ReadOnlySpan<byte> name) =>
        _byUtf8.TryGetValue(name, out var row) && IsVisible(row) ? row : null;

    /// <summary>A handled subcommand of <paramref name="container"/> by name, ASCII case-insensitive; does not allocate.</summary>
    public CommandDefinition? FindSubcommand(CommandDefinition container, ReadOnlySpan<byte> name)
    {
        ArgumentNullException.ThrowIfNull(container);
        return container.Subcommands is { } subs
            && subs.TryGetAlternateLookup<ReadOnlySpan<byte>>(out var lookup)
            && lookup.TryGetValue(name, out var sub)
            && sub.HasHandler
                ? sub
                : null;
    }

    /// <summary>Zeroes the call statistics of every row (CONFIG RESETSTAT).</summary>
    public void ResetStats()
    {
        foreach (var row in _ordered)
        {
            row.ResetStats();
            if (row.Subcommands is { } subs)
            {
                foreach (var sub in subs.Values)
                {
                    sub.ResetStats();
                }
            }
        }
    }

    /// <summary>Visible rows are the ones clients can call and COMMAND lists.</summary>
    internal static bool IsVisible(CommandDefinition row)
    {
        if (row.HasHandler)
        {
            return true;
        }
        if (row.Subcommands is { } subs)
        {
            foreach (var sub in subs.Values)
            {
                if (sub.HasHandler)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static KeyScope DefaultScope(CommandDefinition row) => row.FirstKey > 0 ? KeyScope.Keys : KeyScope.None;

    private CommandDefinition Row(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bar = name.IndexOf('|');
        if (_commands.TryGetValue(bar < 0 ? name : name[..bar], out var row))
        {
            if (bar < 0)
            {
                return row;
            }
            if (row.Subcommands is { } subs && subs.TryGetValue(name[(bar + 1)..], out var sub))
            {
                return sub;
            }
        }
        throw new ArgumentException($"Redis 7.0 has no command '{name}'.", nameof(name));
    }

    private static CommandDefinition CreateRow(CommandMetadata command)
    {
        var subs = command.IsContainer ? new Dictionary<string, CommandDefinition>(CommandNameComparer.Instance) : null;
        var row = NewRow(command, container: null, subs);
        if (subs is not null)
        {
            foreach (var sub in command.Subcommands)
            {
                // Keyed by the part after '|', the word a client sends as the second argument.
                subs.Add(sub.Name[(sub.Name.IndexOf('|') + 1)..], NewRow(sub, row, subcommands: null));
            }
        }
        return row;
    }

    private static CommandDefinition NewRow(CommandMetadata command, CommandDefinition? container, Dictionary<string, CommandDefinition>? subcommands) =>
        new()
        {
            Name = command.Name,
            Arity = command.Arity,
            Flags = command.Flags,
            FirstKey = command.FirstKey,
            LastKey = command.LastKey,
            KeyStep = command.KeyStep,
            Container = container,
            Subcommands = subcommands,
            Metadata = command.Element,
        };
}
