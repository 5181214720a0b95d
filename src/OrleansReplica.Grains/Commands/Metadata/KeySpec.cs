namespace OrleansReplica.Grains.Commands.Metadata;

/// <summary>Redis 7.0's key-specification flags, in the order COMMAND replies list them.</summary>
[Flags]
public enum KeySpecFlags
{
    None = 0,
    RW = 1 << 0,
    RO = 1 << 1,
    OW = 1 << 2,
    RM = 1 << 3,
    Access = 1 << 4,
    Update = 1 << 5,
    Insert = 1 << 6,
    Delete = 1 << 7,
    NotKey = 1 << 8,
    Incomplete = 1 << 9,
    VariableFlags = 1 << 10,
}

/// <summary>How a key specification finds the first key: at an index, after a keyword, or not statically.</summary>
public enum KeyBeginSearch
{
    Unknown,
    Index,
    Keyword,
}

/// <summary>How a key specification finds the keys after the first: a range, a key count argument, or not statically.</summary>
public enum KeyFindKeys
{
    Unknown,
    Range,
    KeyNum,
}

/// <summary>One of a command's key specifications (COMMAND INFO's "key_specs"), as Redis 7.0 declares it.</summary>
public sealed class KeySpec
{
    /// <summary>The flag names as COMMAND replies spell them, indexed by bit position of <see cref="KeySpecFlags"/>.</summary>
    public static readonly IReadOnlyList<string> FlagNames =
        ["RW", "RO", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];

    public KeySpecFlags Flags { get; init; }

    public KeyBeginSearch BeginSearch { get; init; }

    /// <summary>Index of the first key for <see cref="KeyBeginSearch.Index"/>.</summary>
    public int Index { get; init; }

    /// <summary>The keyword that precedes the keys, for <see cref="KeyBeginSearch.Keyword"/>.</summary>
    public string? Keyword { get; init; }

    /// <summary>Where the keyword search starts; negative counts from the end and searches backwards.</summary>
    public int StartFrom { get; init; }

    public KeyFindKeys FindKeys { get; init; }

    /// <summary>Range: index of the last key relative to the first (negative: from the end).</summary>
    public int LastKey { get; init; }

    /// <summary>Range and key count: distance between keys.</summary>
    public int KeyStep { get; init; }

    /// <summary>Range with a negative last key: only 1/limit of the remaining arguments are keys.</summary>
    public int Limit { get; init; }

    /// <summary>Key count: index of the count argument relative to the first.</summary>
    public int KeyNumIndex { get; init; }

    /// <summary>Key count: index of the first key relative to the first.</summary>
    public int FirstKey { get; init; }

    public static KeySpecFlags ParseFlag(string name)
    {
        for (var i = 0; i < FlagNames.Count; i++)
        {
            if (FlagNames[i] == name)
            {
                return (KeySpecFlags)(1 << i);
            }
        }
        throw new InvalidDataException($"Unknown key-spec flag '{name}'.");
    }

    /// <summary>Reads one entry of COMMAND INFO's "key_specs" map.</summary>
    public static KeySpec From(MetadataValue spec)
    {
        var flags = KeySpecFlags.None;
        foreach (var flag in Required(spec, "flags").Items)
        {
            flags |= ParseFlag(flag.Text);
        }
        var begin = Required(spec, "begin_search");
        var beginSpec = Required(begin, "spec");
        var find = Required(spec, "find_keys");
        var findSpec = Required(find, "spec");
        var beginType = Required(begin, "type").Text;
        var findType = Required(find, "type").Text;
        return new KeySpec
        {
            Flags = flags,
            BeginSearch = beginType switch { "index" => KeyBeginSearch.Index, "keyword" => KeyBeginSearch.Keyword, _ => KeyBeginSearch.Unknown },
            Index = Number(beginSpec, "index"),
            Keyword = beginSpec.Field("keyword")?.Text,
            StartFrom = Number(beginSpec, "startfrom"),
            FindKeys = findType switch { "range" => KeyFindKeys.Range, "keynum" => KeyFindKeys.KeyNum, _ => KeyFindKeys.Unknown },
            LastKey = Number(findSpec, "lastkey"),
            KeyStep = Number(findSpec, "keystep"),
            Limit = Number(findSpec, "limit"),
            KeyNumIndex = Number(findSpec, "keynumidx"),
            FirstKey = Number(findSpec, "firstkey"),
        };
    }

    private static MetadataValue Required(MetadataValue map, string key) =>
        map.Field(key) ?? throw new InvalidDataException($"A key specification has no '{key}'.");

    private static int Number(MetadataValue map, string key) => (int)(map.Field(key)?.Integer ?? 0);
}
