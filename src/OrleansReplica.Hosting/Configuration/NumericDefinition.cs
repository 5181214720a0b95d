using System.Globalization;

namespace OrleansReplica.Hosting.Configuration;

/// <summary>How a numeric parameter is written: plain integer, memory size, memory size or percentage, or octal.</summary>
public enum NumericFormat
{
    Integer,
    Memory,
    MemoryOrPercent,
    Octal,
}

/// <summary>An integer parameter with bounds; memory ones accept units (1k, 1kb, 1m, 1mb, 1g, 1gb).</summary>
public sealed class NumericDefinition : ConfigDefinition
{
    private readonly Func<long, long>? _normalize;

    internal NumericDefinition(
        string name,
        string? alias,
        ConfigFlags flags,
        long lower,
        long upper,
        long defaultValue,
        NumericFormat format = NumericFormat.Integer,
        bool unsigned = false,
        Func<long, long>? normalize = null)
        : base(name, alias, flags)
    {
        Lower = lower;
        Upper = upper;
        DefaultValue = defaultValue;
        Syntax = format;
        Unsigned = unsigned;
        _normalize = normalize;
    }

    /// <summary>Lower bound; for a percentage parameter, minus the largest percentage.</summary>
    public long Lower { get; }

    /// <summary>Upper bound (for unsigned parameters, read as an unsigned 64-bit number).</summary>
    public long Upper { get; }

    public long DefaultValue { get; }

    /// <summary>How the value is written and parsed.</summary>
    public NumericFormat Syntax { get; }

    /// <summary>True for C unsigned types, whose bounds are compared as unsigned numbers.</summary>
    public bool Unsigned { get; }

    internal override ConfigValue CreateDefault() => ConfigValue.Of(DefaultValue);

    internal override string? TrySet(string[] args, ref ConfigValue value, ConfigSetContext context)
    {
        if (Parse(args[0], out long parsed) is { } parseError)
        {
            return parseError;
        }

        if (CheckBounds(parsed) is { } boundsError)
        {
            return boundsError;
        }

        value = ConfigValue.Of(_normalize is null ? parsed : _normalize(parsed));
        return null;
    }

    internal override string Format(ConfigValue value)
    {
        long v = value.Number;
        return Syntax switch
        {
            NumericFormat.MemoryOrPercent when v < 0 => $"{-v}%",
            NumericFormat.Memory or NumericFormat.MemoryOrPercent => ((ulong)v).ToString(CultureInfo.InvariantCulture),
            NumericFormat.Octal => Convert.ToString(v, 8),
            _ => v.ToString(CultureInfo.InvariantCulture),
        };
    }

    internal override void Rewrite(ConfigValue value, ConfigRewriteState state)
    {
        long v = value.Number;
        string text = Syntax switch
        {
            NumericFormat.MemoryOrPercent when v < 0 => $"{-v}%",
            NumericFormat.Memory or NumericFormat.MemoryOrPercent => ConfigNumbers.FormatMemory(v),
            NumericFormat.Octal => Convert.ToString(v, 8),
            _ => v.ToString(CultureInfo.InvariantCulture),
        };

        // Like Redis, a percentage is compared with the default as a positive number.
        long compared = Syntax == NumericFormat.MemoryOrPercent && v < 0 ? -v : v;
        state.RewriteLine(Name, $"{Name} {text}", compared != DefaultValue);
    }

    private string? Parse(string text, out long result)
    {
        result = 0;
        if (Syntax is NumericFormat.Memory or NumericFormat.MemoryOrPercent && ConfigNumbers.TryParseMemory(text, out ulong bytes))
        {
            result = unchecked((long)bytes);
            return null;
        }

        if (Syntax == NumericFormat.MemoryOrPercent && text.Length > 1 && text[^1] == '%'
            && ConfigNumbers.TryParseInt64(text.AsSpan(0, text.Length - 1), out long percent) && percent >= 0)
        {
            // Percentages are stored as negative numbers.
            result = -percent;
            return null;
        }

        if (Syntax == NumericFormat.Octal && ConfigNumbers.TryParseC(text, 8, out result))
        {
            return null;
        }

        if (Syntax == NumericFormat.Integer && ConfigNumbers.TryParseInt64(text, out result))
        {
            return null;
        }

        return Syntax switch
        {
            NumericFormat.MemoryOrPercent => "argument must be a memory or percent value",
            NumericFormat.Memory => "argument must be a memory value",
            NumericFormat.Octal => "argument couldn't be parsed as an octal number",
            _ => "argument couldn't be parsed into an integer",
        };
    }

    private string? CheckBounds(long v)
    {
        if (Unsigned)
        {
            ulong u = (ulong)v, lower = (ulong)Lower, upper = (ulong)Upper;
            if (u > upper || u < lower)
            {
                return Syntax == NumericFormat.Octal
                    ? $"argument must be between {Convert.ToString(Lower, 8)} and {Convert.ToString(Upper, 8)} inclusive"
                    : $"argument must be between {lower} and {upper} inclusive";
            }

            return null;
        }

        if (Syntax == NumericFormat.MemoryOrPercent && v < 0)
        {
            return v < Lower ? $"percentage argument must be less or equal to {-Lower}" : null;
        }

        if (v > Upper || v < Lower)
        {
            return $"argument must be between {Lower} and {Upper} inclusive";
        }

        return null;
    }
}
