using OrleansReplica.Protocol.Resp;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Grains.Commands.Metadata;

/// <summary>A key argument of a command line: its position (the command name is 0) and its key-spec flags.</summary>
public readonly record struct KeyReference(int Position, KeySpecFlags Flags);

/// <summary>
/// Finds the key arguments of a command line the way Redis 7.0's COMMAND GETKEYS does: from the
/// command's key specifications when they are complete and their flags fixed, otherwise by parsing
/// the arguments as the command itself would (SET, BITFIELD, SORT, MIGRATE, the numkeys commands ...).
/// </summary>
public static class CommandKeyFinder
{
    /// <summary>False when Redis answers "The command has no key arguments".</summary>
    public static bool HasKeys(CommandMetadata command) =>
        HasParser(command.Name) || command.KeySpecs.Any(s => (s.Flags & KeySpecFlags.NotKey) == 0);

    /// <summary>
    /// Adds the keys of the command line <paramref name="args"/>[<paramref name="offset"/>..] to
    /// <paramref name="keys"/>, positions relative to <paramref name="offset"/>.
    /// </summary>
    public static void FindKeys(CommandMetadata command, CommandArguments args, int offset, List<KeyReference> keys)
    {
        var line = new CommandLine(args, offset);
        var fixedFlags = true;
        var usable = false;
        foreach (var spec in command.KeySpecs)
        {
            usable |= (spec.Flags & KeySpecFlags.NotKey) == 0;
            fixedFlags &= (spec.Flags & KeySpecFlags.VariableFlags) == 0;
        }
        if (usable && fixedFlags)
        {
            var before = keys.Count;
            if (TryFromSpecs(command, line, keys))
            {
                return;
            }
            keys.RemoveRange(before, keys.Count - before);
        }
        Parse(command, line, keys);
    }

    /// <summary>Applies every key spec; false when one cannot describe this line (then the command's own parsing decides).</summary>
    private static bool TryFromSpecs(CommandMetadata command, CommandLine line, List<KeyReference> keys)
    {
        var count = line.Count;
        foreach (var spec in command.KeySpecs)
        {
            if ((spec.Flags & KeySpecFlags.NotKey) != 0)
            {
                continue;
            }
            int first;
            switch (spec.BeginSearch)
            {
                case KeyBeginSearch.Index:
                    first = spec.Index;
                    break;
                case KeyBeginSearch.Keyword:
                    first = FindAfterKeyword(spec, line);
                    if (first == 0)
                    {
                        continue; // an optional keyword that is absent: no keys from this spec
                    }
                    break;
                default:
                    return false;
            }
            long last;
            switch (spec.FindKeys)
            {
                case KeyFindKeys.Range when spec.LastKey >= 0:
                    last = first + spec.LastKey;
                    break;
                case KeyFindKeys.Range when spec.Limit == 0:
                    last = count + spec.LastKey;
                    break;
                case KeyFindKeys.Range:
                    last = first + ((count - first) / spec.Limit + spec.LastKey);
                    break;
                case KeyFindKeys.KeyNum:
                    var countAt = first + spec.KeyNumIndex;
                    if (countAt >= count || !RedisNumber.TryParseInt64(line[countAt], out var numKeys) || numKeys < 0)
                    {
                        return false;
                    }
                    first += spec.FirstKey;
                    last = first + numKeys - 1;
                    break;
                default:
                    return false;
            }
            if (last >= count || last < first || first >= count || spec.KeyStep <= 0)
            {
                return false;
            }
            for (var i = first; i <= last; i += spec.KeyStep)
            {
                keys.Add(new KeyReference(i, spec.Flags));
            }
            if ((spec.Flags & KeySpecFlags.Incomplete) != 0)
            {
                return false; // the spec may miss keys: the command's own parsing is authoritative
            }
        }
        return true;
    }

    /// <summary>Index after the keyword (searching forwards, or backwards from the end for a negative start), 0 when absent.</summary>
    private static int FindAfterKeyword(KeySpec spec, CommandLine line)
    {
        var count = line.Count;
        var start = spec.StartFrom > 0 ? spec.StartFrom : count + spec.StartFrom;
        var end = spec.StartFrom > 0 ? count - 1 : 1;
        var step = start <= end ? 1 : -1;
        for (var i = start; i != end; i += step)
        {
            if (i >= count || i < 1)
            {
                break;
            }
            if (line.Is(i, spec.Keyword!))
            {
                return i + 1;
            }
        }
        return 0;
    }

    private static bool HasParser(string name) => name is "set" or "bitfield" or "sort" or "sort_ro" or "migrate"
        or "georadius" or "georadiusbymember" or "xread" or "xreadgroup"
        || KeyCountLayout(name).CountAt > 0;

    /// <summary>The command's own argument parsing, for lines the key specs cannot describe.</summary>
    private static void Parse(CommandMetadata command, CommandLine line, List<KeyReference> keys)
    {
        switch (command.Name)
        {
            case "set":
                keys.Add(new KeyReference(1, HasGetOption(line) ? KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update : KeySpecFlags.OW | KeySpecFlags.Update));
                break;
            case "bitfield":
                keys.Add(new KeyReference(1, BitfieldIsReadOnly(line) ? KeySpecFlags.RO | KeySpecFlags.Access : KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update));
                break;
            case "sort":
                SortKeys(line, keys);
                break;
            case "sort_ro":
                keys.Add(new KeyReference(1, KeySpecFlags.RO | KeySpecFlags.Access));
                break;
            case "migrate":
                MigrateKeys(line, keys);
                break;
            case "georadius" or "georadiusbymember":
                GeoRadiusKeys(line, keys);
                break;
            case "xread" or "xreadgroup":
                XReadKeys(line, keys);
                break;
            default:
                var (storeAt, countAt, firstAt) = KeyCountLayout(command.Name);
                if (countAt > 0)
                {
                    KeyCountKeys(line, storeAt, countAt, firstAt, keys);
                }
                break;
        }
    }

    /// <summary>Where the numkeys commands keep their destination, key count and first key.</summary>
    private static (int StoreAt, int CountAt, int FirstAt) KeyCountLayout(string name) => name switch
    {
        "zunionstore" or "zinterstore" or "zdiffstore" => (1, 2, 3),
        "zunion" or "zinter" or "zdiff" or "zintercard" or "sintercard" or "lmpop" or "zmpop" => (0, 1, 2),
        "eval" or "evalsha" or "eval_ro" or "evalsha_ro" or "fcall" or "fcall_ro" or "blmpop" or "bzmpop" => (0, 2, 3),
        _ => (0, 0, 0),
    };

    // Redis reads the count leniently here (as C's atoi), reports no flags, and puts the destination last.
    private static void KeyCountKeys(CommandLine line, int storeAt, int countAt, int firstAt, List<KeyReference> keys)
    {
        var count = LenientInteger(line[countAt]);
        if (count < 1 || count > line.Count - firstAt)
        {
            return;
        }
        for (var i = 0; i < count; i++)
        {
            keys.Add(new KeyReference(firstAt + i, KeySpecFlags.None));
        }
        if (storeAt > 0)
        {
            keys.Add(new KeyReference(storeAt, KeySpecFlags.None));
        }
    }

    private static bool HasGetOption(CommandLine line)
    {
        for (var i = 3; i < line.Count; i++)
        {
            if (line.Is(i, "get"))
            {
                return true;
            }
        }
        return false;
    }

    private static bool BitfieldIsReadOnly(CommandLine line)
    {
        for (var i = 2; i < line.Count; i++)
        {
            var remaining = line.Count - i - 1;
            if (line.Is(i, "get") && remaining >= 2)
            {
                i += 2;
            }
            else if (line.Is(i, "overflow") && remaining >= 1)
            {
                i += 1;
            }
            else
            {
                return false; // SET, INCRBY, or a syntax error: assume a write
            }
        }
        return true;
    }

    private static void SortKeys(CommandLine line, List<KeyReference> keys)
    {
        keys.Add(new KeyReference(1, KeySpecFlags.RO | KeySpecFlags.Access));
        var store = 0;
        for (var i = 2; i < line.Count; i++)
        {
            if (line.Is(i, "limit"))
            {
                i += 2;
            }
            else if (line.Is(i, "get") || line.Is(i, "by"))
            {
                i += 1;
            }
            else if (line.Is(i, "store") && i + 1 < line.Count)
            {
                store = i + 1; // the last STORE wins, as SORT applies it
            }
        }
        if (store > 0)
        {
            keys.Add(new KeyReference(store, KeySpecFlags.OW | KeySpecFlags.Update));
        }
    }

    private static void MigrateKeys(CommandLine line, List<KeyReference> keys)
    {
        var first = 3;
        var count = 1;
        for (var i = 6; i < line.Count; i++)
        {
            if (line.Is(i, "keys"))
            {
                if (line[3].Length > 0)
                {
                    return; // KEYS needs an empty key argument
                }
                first = i + 1;
                count = line.Count - first;
                break;
            }
            if (line.Is(i, "auth"))
            {
                i += 1;
            }
            else if (line.Is(i, "auth2"))
            {
                i += 2;
            }
        }
        for (var i = 0; i < count; i++)
        {
            keys.Add(new KeyReference(first + i, KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete));
        }
    }

    private static void GeoRadiusKeys(CommandLine line, List<KeyReference> keys)
    {
        var store = 0;
        for (var i = 5; i < line.Count; i++)
        {
            if ((line.Is(i, "store") || line.Is(i, "storedist")) && i + 1 < line.Count)
            {
                store = ++i;
            }
        }
        keys.Add(new KeyReference(1, KeySpecFlags.RO | KeySpecFlags.Access));
        if (store > 0)
        {
            keys.Add(new KeyReference(store, KeySpecFlags.OW | KeySpecFlags.Update));
        }
    }

    private static void XReadKeys(CommandLine line, List<KeyReference> keys)
    {
        var streams = -1;
        for (var i = 1; i < line.Count; i++)
        {
            if (line.Is(i, "block") || line.Is(i, "count"))
            {
                i += 1;
            }
            else if (line.Is(i, "group"))
            {
                i += 2;
            }
            else if (line.Is(i, "streams"))
            {
                streams = i;
                break;
            }
            else if (!line.Is(i, "noack"))
            {
                break;
            }
        }
        var remaining = line.Count - streams - 1;
        if (streams < 0 || remaining == 0 || remaining % 2 != 0)
        {
            return;
        }
        for (var i = 0; i < remaining / 2; i++)
        {
            keys.Add(new KeyReference(streams + 1 + i, KeySpecFlags.None)); // Redis reports no flags here
        }
    }

    /// <summary>C's atoi: leading white space, an optional sign, then digits up to the first other byte.</summary>
    private static long LenientInteger(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            i++;
        }
        var negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == '-';
            i++;
        }
        long value = 0;
        for (; i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9'; i++)
        {
            value = Math.Min(value * 10 + (text[i] - '0'), int.MaxValue + 1L);
        }
        return negative ? -value : value;
    }

    /// <summary>The command line inside COMMAND GETKEYS's arguments.</summary>
    private readonly ref struct CommandLine(CommandArguments args, int offset)
    {
        public int Count => args.Count - offset;

        public ReadOnlySpan<byte> this[int index] => args[offset + index];

        public bool Is(int index, string word) => System.Text.Ascii.EqualsIgnoreCase(this[index], word);
    }
}
