using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OrleansReplica.SnapshotBenchmark;

/// <summary>A benchmark tool's "--name value" options, after the command word.</summary>
internal sealed class CommandLineOptions
{
    private readonly Dictionary<string, string> _values = [];

    public CommandLineOptions(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                _values[name] = "";
            }
            else if (name is not null)
            {
                _values[name] = arg;
                name = null;
            }
        }
    }

    /// <summary>The option's value, else <paramref name="fallback"/>; without a fallback the option is required.</summary>
    public string Get(string name, string? fallback) =>
        _values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, string? fallback) => int.Parse(Get(name, fallback), CultureInfo.InvariantCulture);

    public double Double(string name, string? fallback) => double.Parse(Get(name, fallback), CultureInfo.InvariantCulture);

    public bool TryGet(string name, [NotNullWhen(true)] out string? value) => _values.TryGetValue(name, out value);
}
