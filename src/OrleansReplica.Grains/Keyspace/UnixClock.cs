using System.Diagnostics;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>
/// Unix time in milliseconds derived from a Stopwatch timestamp the caller already took, so a
/// command reads the clock once for both its latency and its notion of "now". The wall-clock
/// anchor is refreshed every second, so clock adjustments are followed within a second.
/// </summary>
public sealed class UnixClock
{
    private static readonly double MillisecondsPerTick = 1000.0 / Stopwatch.Frequency;

    private Anchor _anchor = Anchor.Now();

    public long NowMs() => UnixMsAt(Stopwatch.GetTimestamp());

    public long UnixMsAt(long timestamp)
    {
        var anchor = _anchor;
        var elapsed = timestamp - anchor.Timestamp;
        if (elapsed >= Stopwatch.Frequency || elapsed < 0)
        {
            _anchor = anchor = Anchor.Now();
            elapsed = timestamp - anchor.Timestamp;
        }
        return anchor.UnixMs + (long)(elapsed * MillisecondsPerTick);
    }

    private sealed record Anchor(long Timestamp, long UnixMs)
    {
        public static Anchor Now() => new(Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }
}
