namespace OrleansReplica.Hosting.Configuration;

/// <summary>A configuration that cannot be loaded; the message is what redis-server prints before exiting.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Redis's version as printed in the fatal config error banner.</summary>
    public const string RedisVersion = "7.0.15";

    public ConfigException(string message)
        : base(message)
    {
        Reason = message;
    }

    private ConfigException(string message, string reason, int? lineNumber, string? lineText)
        : base(message)
    {
        Reason = reason;
        LineNumber = lineNumber;
        LineText = lineText;
    }

    /// <summary>The last line of the message: what is wrong.</summary>
    public string Reason { get; }

    /// <summary>1-based line of the offending directive, when the error is about one line.</summary>
    public int? LineNumber { get; }

    /// <summary>The offending line, trimmed.</summary>
    public string? LineText { get; }

    /// <summary>Builds the "*** FATAL CONFIG FILE ERROR ***" message (redis-server prints it after an empty line).</summary>
    public static ConfigException Fatal(string reason, int? lineNumber = null, string? lineText = null)
    {
        var text = $"*** FATAL CONFIG FILE ERROR (Redis {RedisVersion}) ***\n";
        if (lineNumber is { } line)
        {
            text += $"Reading the configuration file, at line {line}\n>>> '{lineText}'\n";
        }

        return new ConfigException(text + reason, reason, lineNumber, lineText);
    }
}
