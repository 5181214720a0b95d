using System.Text;
using OrleansReplica.Hosting.Configuration;

namespace OrleansReplica.Tests.Differential;

/// <summary>How one script line's replies are compared.</summary>
public enum ReplyComparison
{
    /// <summary>Byte for byte.</summary>
    Exact,

    /// <summary>Integers within 2 of each other (TTL, IDLETIME), or within 0.1% (PTTL).</summary>
    Approximate,

    /// <summary>Only the reply's type byte.</summary>
    TypeOnly,
}

/// <summary>One request of a script: its arguments, how to compare, and where it came from.</summary>
public sealed record ScriptStep(int Line, string Text, byte[][] Arguments, ReplyComparison Comparison, int? SwitchProtocol);

/// <summary>
/// A differential script: one command per line in redis-cli syntax, '#' comments, prefixes '~ ' and
/// '* ' choosing the comparison, '@resp3' / '@resp2' switching the protocol of both connections.
/// </summary>
public static class DifferentialScript
{
    /// <summary>The scripts (*.redis) copied next to the tests under Differential/<paramref name="folder"/>.</summary>
    public static string Directory(string folder) => Path.Combine(AppContext.BaseDirectory, "Differential", folder);

    /// <summary>The names of the scripts in <paramref name="directory"/>, in order, as theory data.</summary>
    public static TheoryData<string> Names(string directory)
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.GetFiles(directory, "*.redis").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }
        return data;
    }

    /// <summary>Reads and parses the script <paramref name="name"/> of <paramref name="directory"/>.</summary>
    public static async Task<IReadOnlyList<ScriptStep>> LoadAsync(string directory, string name) =>
        Parse(await File.ReadAllTextAsync(Path.Combine(directory, name + ".redis")));

    public static IReadOnlyList<ScriptStep> Parse(string text)
    {
        var steps = new List<ScriptStep>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line is "@resp3" or "@resp2")
            {
                steps.Add(new ScriptStep(i + 1, line, [], ReplyComparison.TypeOnly, line == "@resp3" ? 3 : 2));
                continue;
            }
            var comparison = ReplyComparison.Exact;
            if (line.StartsWith("~ ", StringComparison.Ordinal))
            {
                comparison = ReplyComparison.Approximate;
                line = line[2..];
            }
            else if (line.StartsWith("* ", StringComparison.Ordinal))
            {
                comparison = ReplyComparison.TypeOnly;
                line = line[2..];
            }
            var words = ConfigArgs.Split(line) ?? throw new FormatException($"line {i + 1}: unbalanced quotes");
            // The splitter yields Latin-1 chars for \\xHH escapes: map them back to bytes one to one.
            var arguments = words.Select(static w => w.Any(static ch => ch > 0x7F && ch <= 0xFF) ? Encoding.Latin1.GetBytes(w) : Encoding.UTF8.GetBytes(w)).ToArray();
            steps.Add(new ScriptStep(i + 1, line, arguments, comparison, null));
        }
        return steps;
    }
}
