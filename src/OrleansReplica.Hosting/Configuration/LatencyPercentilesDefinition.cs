using System.Globalization;

namespace OrleansReplica.Hosting.Configuration;

/// <summary>The <c>latency-tracking-info-percentiles</c> parameter: percentiles between 0 and 100 shown by INFO latencystats.</summary>
public sealed class LatencyPercentilesDefinition : ConfigDefinition
{
    internal LatencyPercentilesDefinition()
        : base("latency-tracking-info-percentiles", null, ConfigFlags.MultiArg)
    {
    }

    public static IReadOnlyList<double> DefaultValue { get; } = [50.0, 99.0, 99.9];

    /// <summary>A percentile as Redis prints it: %f without trailing zeros (99.9, 50, -0).</summary>
    public static string FormatPercentile(double value)
    {
        string text = value.ToString("F6", CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        int count = args.Length == 1 && args[0].Length == 0 ? 0 : args.Length;
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            if (!TryParseDouble(args[i], out double percentile))
            {
                return "Invalid latency-tracking-info-percentiles parameters";
            }

            if (percentile > 100.0 || percentile < 0.0)
            {
                return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
            }

            values[i] = percentile;
        }

        value = ConfigValue.Of(values);
        return null;
    }

    internal override string Format(ConfigValue value) =>
        string.Join(' ', ((IReadOnlyList<double>)value.Ref!).Select(FormatPercentile));

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state)
    {
        var values = (IReadOnlyList<double>)value.Ref!;

        // Always written: an absent line would bring the defaults back.
        string list = values.Count == 0 ? "\"\"" : Format(value);
        state.RewriteLine(Name, $"{Name} {list}", force: true);
    }

    // Like Redis's string2d: the whole text must be a number, no leading space, no NaN.
    private static bool TryParseDouble(string text, out double value)
    {
        value = 0;
        if (text.Length == 0 || ConfigArgs.IsSpace(text[0]) || ConfigArgs.IsSpace(text[^1]))
        {
            return false;
        }

        string lower = text.TrimStart('+', '-').ToLowerInvariant();
        if (lower is "inf" or "infinity")
        {
            value = text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
            && !double.IsNaN(value);
    }
}
