namespace OrleansReplica.Hosting.Configuration;

/// <summary>A yes/no parameter.</summary>
public sealed class BoolDefinition : ConfigDefinition
{
    private readonly Func<bool, string?>? _validate;

    internal BoolDefinition(string name, string? alias, ConfigFlags flags, bool defaultValue, Func<bool, string?>? validate = null)
        : base(name, alias, flags)
    {
        DefaultValue = defaultValue;
        _validate = validate;
    }

    public bool DefaultValue { get; }

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue ? 1 : 0);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        bool yes;
        if (args[0].Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            yes = true;
        }
        else if (args[0].Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            yes = false;
        }
        else
        {
            return "argument must be 'yes' or 'no'";
        }

        if (_validate?.Invoke(yes) is { } error)
        {
            return error;
        }

        value = ConfigValue.Of(yes ? 1 : 0);
        return null;
    }

    internal override string Format(ConfigValue value) => value.Number != 0 ? "yes" : "no";

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state) =>
        state.RewriteLine(Name, $"{Name} {Format(value)}", (value.Number != 0) != DefaultValue);
}
