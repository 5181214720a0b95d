namespace OrleansReplica.Hosting.Configuration;

/// <summary>One config parameter: its names, flags, default, and how its value is parsed, shown and rewritten.</summary>
public abstract class ConfigDefinition
{
    private protected ConfigDefinition(string name, string? alias, ConfigFlags flags)
    {
        Name = name;
        Alias = alias;
        Flags = flags;
    }

    /// <summary>The canonical name (CONFIG REWRITE writes this one).</summary>
    public string Name { get; }

    /// <summary>The older name Redis still accepts (slaveof, slave-read-only, hash-max-ziplist-entries...).</summary>
    public string? Alias { get; }

    public ConfigFlags Flags { get; }

    public bool IsImmutable => (Flags & ConfigFlags.Immutable) != 0;

    public bool IsProtected => (Flags & ConfigFlags.Protected) != 0;

    public bool IsHidden => (Flags & ConfigFlags.Hidden) != 0;

    public bool IsMultiArg => (Flags & ConfigFlags.MultiArg) != 0;

    public bool IsSensitive => (Flags & ConfigFlags.Sensitive) != 0;

    /// <summary>Position in <see cref="ConfigRegistry.All"/>, the slot of this parameter in a <see cref="ServerConfig"/>.</summary>
    internal int Index { get; set; }

    internal abstract ConfigValue CreateDefault();

    /// <summary>Parses arguments into <paramref name="value"/>; returns Redis's error text, or null on success.</summary>
    internal abstract string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context);

    /// <summary>The text CONFIG GET shows.</summary>
    internal abstract string Format(ConfigValue value);

    /// <summary>Emits this parameter's line(s) for CONFIG REWRITE.</summary>
    internal abstract void Rewrite(ConfigValue value, ConfigRewriteState state);

    public override string ToString() => Name;
}

/// <summary>What a set needs to know besides the arguments: whether it comes from the config file, and the server config.</summary>
internal sealed class ConfigSetContext(ServerConfig config, bool fromFile)
{
    public ServerConfig Config { get; } = config;

    /// <summary>True while loading the config file, command line or settings (affects <c>save</c> accumulation).</summary>
    public bool FromFile { get; } = fromFile;
}
