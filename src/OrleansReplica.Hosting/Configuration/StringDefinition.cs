namespace OrleansReplica.Hosting.Configuration;

/// <summary>A text parameter; for some, an empty text means "not set" (CONFIG REWRITE then drops the line).</summary>
public sealed class StringDefinition : ConfigDefinition
{
    private readonly Func<string, string?>? _validate;

    internal StringDefinition(string name, string? alias, ConfigFlags flags, string? defaultValue, bool emptyIsNull, Func<string, string?>? validate = null)
        : base(name, alias, flags)
    {
        DefaultValue = defaultValue;
        EmptyIsNull = emptyIsNull;
        _validate = validate;
    }

    /// <summary>The default, or null for "not set".</summary>
    public string? DefaultValue { get; }

    public bool EmptyIsNull { get; }

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        string text = args[0];
        if (_validate?.Invoke(text) is { } error)
        {
            return error;
        }

        value = ConfigValue.Of(EmptyIsNull && text.Length == 0 ? null : text);
        return null;
    }

    internal override string Format(ConfigValue value) => (string?)value.Ref ?? string.Empty;

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state)
    {
        if (value.Ref is not string text)
        {
            // Not set: the line must disappear so the next start leaves it unset too.
            state.MarkProcessed(Name);
            return;
        }

        bool force = !(DefaultValue is not null && text == DefaultValue);
        state.RewriteLine(Name, $"{Name} {ConfigArgs.Quote(text)}", force);
    }
}
