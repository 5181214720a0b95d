namespace OrleansReplica.Grains.Commands;

/// <summary>
/// A log-linear histogram of a command's latencies (16 linear steps per power of two, about 6%
/// precision), for INFO latencystats' p50/p99/p99.9 percentiles. Recording is a plain increment:
/// a rare lost update between racing connections is an acceptable price for not locking the bus
/// on every command.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 4;
    private const int SubBuckets = 1 << SubBucketBits;

    private readonly long[] _counts = new long[64 * SubBuckets];

    public void Record(long nanoseconds, int calls = 1) => _counts[IndexOf(Math.Max(1, nanoseconds))] += calls;

    /// <summary>The smallest recorded latency, in microseconds, that at least <paramref name="percentile"/>% of calls did not exceed.</summary>
    public double ValueAtPercentile(double percentile)
    {
        long total = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            total += Volatile.Read(ref _counts[i]);
        }
        if (total == 0)
        {
            return 0;
        }
        var wanted = (long)Math.Ceiling(total * percentile / 100.0);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= wanted)
            {
                return UpperBound(i) / 1000.0;
            }
        }
        return UpperBound(_counts.Length - 1) / 1000.0;
    }

    public void Reset() => Array.Clear(_counts);

    private static int IndexOf(long value)
    {
        var exponent = 63 - (int)long.LeadingZeroCount(value);
        if (exponent < SubBucketBits)
        {
            return (int)value;
        }
        var sub = (int)(value >> (exponent - SubBucketBits)) & (SubBuckets - 1);
        return (exponent - SubBucketBits + 1) * SubBuckets + sub;
    }

    private static long UpperBound(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }
        var exponent = index / SubBuckets + SubBucketBits - 1;
        var sub = index % SubBuckets;
        return ((long)(SubBuckets + sub + 1) << (exponent - SubBucketBits)) - 1;
    }
}
