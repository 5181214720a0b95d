namespace OrleansReplica.Hosting.Configuration;

/// <summary>The <c>oom-score-adj-values</c> parameter: three scores for master, replica and background child.</summary>
public sealed class OomScoreAdjValuesDefinition : ConfigDefinition
{
    internal OomScoreAdjValuesDefinition()
        : base("oom-score-adj-values", null, ConfigFlags.MultiArg)
    {
    }

    public static IReadOnlyList<int> DefaultValue { get; } = [0, 200, 800];

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        if (args.Length != 3)
        {
            return "wrong number of arguments";
        }

        var values = new int[3];
        for (int i = 0; i < 3; i++)
        {
            if (!ConfigNumbers.TryParseC(args[i], 10, out long v) || v < -2000 || v > 2000)
            {
                return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
            }

            values[i] = (int)v;
        }

        value = ConfigValue.Of(values);
        return null;
    }

    internal override string Format(ConfigValue value) => string.Join(' ', (IReadOnlyList<int>)value.Ref!);

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state)
    {
        var values = (IReadOnlyList<int>)value.Ref!;
        state.RewriteLine(Name, $"{Name} {Format(value)}", !values.SequenceEqual(DefaultValue));
    }
}
