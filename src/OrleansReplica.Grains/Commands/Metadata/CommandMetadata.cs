using System.Text.Json;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Grains.Commands.Metadata;

/// <summary>
/// Redis 7.0's metadata for one command or subcommand: the fields the command table routes with,
/// and its COMMAND INFO and COMMAND DOCS replies, ready to write.
/// </summary>
public sealed class CommandMetadata
{
    // Positions in COMMAND INFO's reply array.
    private const int InfoFieldCount = 10;
    private const int SubcommandsSlot = 9;

    private readonly MetadataValue[] _info;
    private readonly MetadataValue _docs;

    internal CommandMetadata(JsonElement element, CommandMetadata? container)
    {
        Element = element;
        Container = container;
        _info = [.. element.GetProperty("info").EnumerateObject().Select(p => MetadataValue.FromJson(p.Value))];
        _docs = MetadataValue.FromJson(element.GetProperty("docs"));
        if (_info.Length != InfoFieldCount || _docs.Kind != MetadataValueKind.Map)
        {
            throw new InvalidDataException("A command's metadata needs a 10-field 'info' and a 'docs' map.");
        }
        Name = _info[0].Text;
        NameUtf8 = _info[0].Utf8;
        Arity = (int)_info[1].Integer;
        Flags = ParseFlags(_info[2]);
        FirstKey = (int)_info[3].Integer;
        LastKey = (int)_info[4].Integer;
        KeyStep = (int)_info[5].Integer;
        AclCategories = [.. _info[6].Items.Select(c => c.Text.TrimStart('@'))];
        KeySpecs = [.. _info[8].Items.Select(KeySpec.From)];
        Subcommands = element.TryGetProperty("subcommands", out var subs)
            ? [.. subs.EnumerateArray().Select(s => new CommandMetadata(s, this))]
            : [];
    }

    /// <summary>Lower-case name; "container|sub" for a subcommand.</summary>
    public string Name { get; }

    public byte[] NameUtf8 { get; }

    public int Arity { get; }

    public CommandFlags Flags { get; }

    /// <summary>Legacy first key position (COMMAND INFO's fourth field); 0 when none.</summary>
    public int FirstKey { get; }

    public int LastKey { get; }

    public int KeyStep { get; }

    /// <summary>ACL categories without the '@' ("read", "string" ...).</summary>
    public IReadOnlyList<string> AclCategories { get; }

    public IReadOnlyList<KeySpec> KeySpecs { get; }

    public CommandMetadata? Container { get; }

    /// <summary>Subcommands in name order; empty for a plain command.</summary>
    public IReadOnlyList<CommandMetadata> Subcommands { get; }

    public bool IsContainer => Subcommands.Count > 0;

    /// <summary>The command's object in RedisCommands.json ("info", "docs", "subcommands").</summary>
    public JsonElement Element { get; }

    /// <summary>Writes the COMMAND INFO entry; a container lists the given subcommands only.</summary>
    public void WriteInfo(RespWriter writer, IReadOnlyList<CommandMetadata> subcommands)
    {
        writer.WriteArrayHeader(_info.Length);
        for (var i = 0; i < _info.Length; i++)
        {
            if (i == SubcommandsSlot && IsContainer)
            {
                _info[i].WriteHeader(writer, subcommands.Count);
                foreach (var sub in subcommands)
                {
                    sub.WriteInfo(writer, []);
                }
            }
            else
            {
                _info[i].Write(writer);
            }
        }
    }

    /// <summary>Writes the COMMAND DOCS map of this command; a container lists the given subcommands only.</summary>
    public void WriteDocs(RespWriter writer, IReadOnlyList<CommandMetadata> subcommands)
    {
        var items = _docs.Items;
        writer.WriteMapHeader(items.Length / 2);
        for (var i = 0; i < items.Length; i += 2)
        {
            items[i].Write(writer);
            if (IsContainer && items[i].Utf8.AsSpan().SequenceEqual("subcommands"u8))
            {
                items[i + 1].WriteHeader(writer, subcommands.Count);
                foreach (var sub in subcommands)
                {
                    writer.WriteBulkString(sub.NameUtf8);
                    sub.WriteDocs(writer, []);
                }
            }
            else
            {
                items[i + 1].Write(writer);
            }
        }
    }

    public override string ToString() => Name;

    private static CommandFlags ParseFlags(MetadataValue flags)
    {
        var result = CommandFlags.None;
        foreach (var flag in flags.Items)
        {
            result |= ParseFlag(flag.Text);
        }
        return result;
    }

    /// <summary>Maps a COMMAND INFO flag name to <see cref="CommandFlags"/>.</summary>
    public static CommandFlags ParseFlag(string name) => name switch
    {
        "write" => CommandFlags.Write,
        "readonly" => CommandFlags.ReadOnly,
        "denyoom" => CommandFlags.DenyOom,
        "module" => CommandFlags.Module,
        "admin" => CommandFlags.Admin,
        "pubsub" => CommandFlags.PubSub,
        "noscript" => CommandFlags.NoScript,
        "blocking" => CommandFlags.Blocking,
        "loading" => CommandFlags.Loading,
        "stale" => CommandFlags.Stale,
        "skip_monitor" => CommandFlags.SkipMonitor,
        "skip_slowlog" => CommandFlags.SkipSlowlog,
        "asking" => CommandFlags.Asking,
        "fast" => CommandFlags.Fast,
        "no_auth" => CommandFlags.NoAuth,
        "may_replicate" => CommandFlags.MayReplicate,
        "sentinel" => CommandFlags.Sentinel,
        "only_sentinel" => CommandFlags.OnlySentinel,
        "no_mandatory_keys" => CommandFlags.NoMandatoryKeys,
        "protected" => CommandFlags.Protected,
        "no_async_loading" => CommandFlags.NoAsyncLoading,
        "no_multi" => CommandFlags.NoMulti,
        "movablekeys" => CommandFlags.MovableKeys,
        "allow_busy" => CommandFlags.AllowBusy,
        _ => throw new InvalidDataException($"Unknown command flag '{name}'."),
    };
}
