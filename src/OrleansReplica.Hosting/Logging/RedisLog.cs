using System.Globalization;

namespace OrleansReplica.Hosting.Logging;

/// <summary>Redis's log levels, most verbose first.</summary>
public enum LogLevel
{
    Debug,
    Verbose,
    Notice,
    Warning,
    Nothing,
}

/// <summary>
/// Writes log lines in redis-server's format ("pid:role dd Mon yyyy HH:mm:ss.fff * message"),
/// to standard output or to the configured logfile.
/// </summary>
public sealed class RedisLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly int _pid = Environment.ProcessId;

    public RedisLog(string? logFile, LogLevel level)
    {
        Level = level;
        if (string.IsNullOrEmpty(logFile))
        {
            _writer = Console.Out;
        }
        else
        {
            _writer = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            _ownsWriter = true;
        }
    }

    public LogLevel Level { get; set; }

    /// <summary>'M' on a master, 'S' on a replica, as in Redis's log lines.</summary>
    public char Role { get; set; } = 'M';

    public static LogLevel ParseLevel(string name) => name.ToLowerInvariant() switch
    {
        "debug" => LogLevel.Debug,
        "verbose" => LogLevel.Verbose,
        "warning" => LogLevel.Warning,
        "nothing" => LogLevel.Nothing,
        _ => LogLevel.Notice,
    };

    public void Debug(string message) => Write(LogLevel.Debug, message);

    public void Verbose(string message) => Write(LogLevel.Verbose, message);

    public void Notice(string message) => Write(LogLevel.Notice, message);

    public void Warning(string message) => Write(LogLevel.Warning, message);

    /// <summary>Writes a line with no prefix (the start-up banner).</summary>
    public void Raw(string text)
    {
        lock (_gate)
        {
            _writer.WriteLine(text);
            _writer.Flush();
        }
    }

    public void Write(LogLevel level, string message)
    {
        if (level < Level)
        {
            return;
        }
        var mark = level switch
        {
            LogLevel.Debug => '.',
            LogLevel.Verbose => '-',
            LogLevel.Notice => '*',
            _ => '#',
        };
        var now = DateTime.Now;
        var line = string.Create(CultureInfo.InvariantCulture, $"{_pid}:{Role} {now:dd MMM yyyy HH:mm:ss.fff} {mark} {message}");
        lock (_gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        if (_ownsWriter)
        {
            _writer.Dispose();
        }
    }
}
