using System.Text.Json;

namespace OrleansReplica.Grains.Commands;

/// <summary>
/// One row of the command table: Redis 7.0's metadata for a command (arity, flags, key positions,
/// documentation) and the handler that executes it.
/// </summary>
public sealed class CommandDefinition
{
    private long _calls;
    private long _microseconds;
    private long _rejectedCalls;
    private long _failedCalls;
    private LatencyHistogram? _latency;

    /// <summary>Lower-case name; a subcommand is named "container|sub" as Redis names it.</summary>
    public required string Name { get; init; }

    /// <summary>Arity as Redis states it: N exactly N arguments, -N at least N (the name counts).</summary>
    public required int Arity { get; init; }

    public CommandFlags Flags { get; init; }

    public int FirstKey { get; init; }

    public int LastKey { get; init; }

    public int KeyStep { get; init; }

    public KeyScope Scope { get; set; } = KeyScope.None;

    public CommandDefinition? Container { get; init; }

    /// <summary>Subcommands by lower-case name, for container commands (CONFIG, CLIENT, OBJECT ...).</summary>
    public Dictionary<string, CommandDefinition>? Subcommands { get; init; }

    /// <summary>Redis's metadata for COMMAND INFO / COMMAND DOCS replies.</summary>
    public JsonElement Metadata { get; init; }

    public CommandHandler? Handler { get; set; }

    public AsyncCommandHandler? AsyncHandler { get; set; }

    /// <summary>
    /// Takes constant time: Redis's fast commands, and those Redis leaves unflagged only because
    /// overwriting a value frees the old one at once (SET), which here the collector does later.
    /// A pipelined run of such a command is timed as a whole.
    /// </summary>
    public bool ConstantTime { get; set; }

    public bool IsWrite => (Flags & CommandFlags.Write) != 0;

    public bool HasHandler => Handler is not null || AsyncHandler is not null;

    public long Calls => Volatile.Read(ref _calls);

    public long Microseconds => Volatile.Read(ref _microseconds);

    public long RejectedCalls => Volatile.Read(ref _rejectedCalls);

    public long FailedCalls => Volatile.Read(ref _failedCalls);

    public bool AcceptsArgumentCount(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>The key argument positions for a request of <paramref name="count"/> arguments.</summary>
    public bool TryGetKeyRange(int count, out int first, out int last, out int step)
    {
        first = FirstKey;
        step = KeyStep;
        last = LastKey < 0 ? count + LastKey : LastKey;
        return first > 0 && step > 0 && last >= first && last < count;
    }

    /// <summary>Latencies of the calls so far; null until the first call.</summary>
    public LatencyHistogram? Latency => _latency;

    public void RecordCall(TimeSpan elapsed)
    {
        RecordCalls(1, elapsed);
        RecordLatency(elapsed);
    }

    /// <summary>Adds a run of calls and their total time to the counters.</summary>
    public void RecordCalls(long calls, TimeSpan elapsed)
    {
        Interlocked.Add(ref _calls, calls);
        Interlocked.Add(ref _microseconds, (long)elapsed.TotalMicroseconds);
    }

    /// <summary>Adds <paramref name="calls"/> calls that each took <paramref name="elapsed"/> to the latency histogram.</summary>
    public void RecordLatency(TimeSpan elapsed, int calls = 1)
    {
        var latency = _latency ?? Interlocked.CompareExchange(ref _latency, new LatencyHistogram(), null) ?? _latency!;
        latency.Record(elapsed.Ticks * 100, calls);
    }

    public void RecordRejected() => Interlocked.Increment(ref _rejectedCalls);

    public void RecordFailed() => Interlocked.Increment(ref _failedCalls);

    public void ResetStats()
    {
        Volatile.Write(ref _calls, 0);
        Volatile.Write(ref _microseconds, 0);
        Volatile.Write(ref _rejectedCalls, 0);
        Volatile.Write(ref _failedCalls, 0);
        _latency?.Reset();
    }
}
