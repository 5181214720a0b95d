namespace OrleansReplica.Hosting.Configuration;

/// <summary>A parameter with named values; a multi-argument one combines flag values (shutdown-on-sigterm save now).</summary>
public sealed class EnumDefinition : ConfigDefinition
{
    private readonly (string Name, int Value)[] _values;
    private readonly Func<int, string?>? _validate;

    internal EnumDefinition(string name, string? alias, ConfigFlags flags, (string Name, int Value)[] values, int defaultValue, Func<int, string?>? validate = null)
        : base(name, alias, flags)
    {
        _values = values;
        DefaultValue = defaultValue;
        _validate = validate;
    }

    public int DefaultValue { get; }

    /// <summary>Accepted names, in Redis's order.</summary>
    public IEnumerable<string> Names => _values.Select(v => v.Name);

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        int result = 0;
        if (args.Length == 0 || (!IsMultiArg && args.Length != 1))
        {
            return ErrorText();
        }

        foreach (var arg in args)
        {
            int? found = Lookup(arg);
            if (found is null)
            {
                return ErrorText();
            }

            result |= found.Value;
        }

        if (_validate?.Invoke(result) is { } error)
        {
            return error;
        }

        value = ConfigValue.Of(result);
        return null;
    }

    internal override string Format(ConfigValue value)
    {
        int v = (int)value.Number;
        if (!IsMultiArg || v == 0)
        {
            foreach (var (name, number) in _values)
            {
                if (number == v)
                {
                    return name;
                }
            }

            return "unknown";
        }

        return string.Join(' ', _values.Where(e => e.Value != 0 && (v & e.Value) == e.Value).Select(e => e.Name));
    }

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state) =>
        state.RewriteLine(Name, $"{Name} {Format(value)}", value.Number != DefaultValue);

    private int? Lookup(string name)
    {
        foreach (var (candidate, number) in _values)
        {
            if (candidate.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return number;
            }
        }

        return null;
    }

    private string ErrorText() => "argument(s) must be one of the following: " + string.Join(", ", Names);
}
