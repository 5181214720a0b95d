namespace OrleansReplica.Hosting.Configuration;

/// <summary>The <c>bind</c> parameter: up to 16 addresses; a leading '-' marks an optional one; "" listens nowhere.</summary>
public sealed class BindDefinition : ConfigDefinition
{
    /// <summary>Most addresses Redis accepts.</summary>
    public const int MaxAddresses = 16;

    internal BindDefinition()
        : base("bind", null, ConfigFlags.MultiArg)
    {
    }

    // The loopback default of the redis.conf Redis ships, not its built-in "* -::*": a silo started
    // with no configuration must not listen beyond this machine.
    public static IReadOnlyList<string> DefaultValue { get; } = ["127.0.0.1", "-::1"];

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        if (args.Length > MaxAddresses)
        {
            return "Too many bind addresses specified.";
        }

        string[] addresses = args.Length == 1 && args[0].Length == 0 ? [] : (string[])args.Clone();
        value = ConfigValue.Of(addresses);
        return null;
    }

    internal override string Format(ConfigValue value) => string.Join(' ', (IReadOnlyList<string>)value.Ref!);

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state)
    {
        var addresses = (IReadOnlyList<string>)value.Ref!;
        if (addresses.SequenceEqual(DefaultValue))
        {
            state.MarkProcessed(Name);
            return;
        }

        string list = addresses.Count > 0 ? string.Join(' ', addresses) : "\"\"";
        state.RewriteLine(Name, $"{Name} {list}", force: true);
    }
}
