namespace OrleansReplica.Grains.Commands.Keys;

/// <summary>
/// A SCAN cursor: the shard being walked (high bits) and the lowest key hash not yet visited in it
/// (low 32 bits). Finishing a shard carries into the next one; 0 both starts and ends an iteration.
/// </summary>
public readonly record struct ScanCursor(int Shard, ulong HashFrom)
{
    public const string InvalidCursor = "ERR invalid cursor";

    private const int HashBits = 32;

    public static ScanCursor FromValue(ulong value) =>
        // A cursor past every shard (one nobody handed out) simply ends the iteration.
        value >> HashBits > int.MaxValue ? new ScanCursor(int.MaxValue, 0) : new ScanCursor((int)(value >> HashBits), value & uint.MaxValue);

    /// <summary>The cursor handed to the client; 0 once <paramref name="shardCount"/> shards are done.</summary>
    public ulong ToValue(int shardCount)
    {
        // HashFrom = 2^32 means "this shard is done": the addition carries into the shard bits.
        var value = ((ulong)Shard << HashBits) + HashFrom;
        return value >> HashBits >= (ulong)shardCount ? 0 : value;
    }

    /// <summary>
    /// Parses a cursor as Redis does (strtoul, base 10): an optional sign (a minus wraps around),
    /// digits, nothing after; an empty argument is 0; leading space and overflow are refused.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return true;
        }
        var negative = false;
        var i = 0;
        if (text[0] is (byte)'+' or (byte)'-')
        {
            negative = text[0] == (byte)'-';
            i = 1;
        }
        if (i == text.Length)
        {
            return false;
        }
        for (; i < text.Length; i++)
        {
            var digit = (uint)(text[i] - (byte)'0');
            if (digit > 9 || value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }
            value = value * 10 + digit;
        }
        if (negative)
        {
            value = unchecked(0 - value);
        }
        return true;
    }
}
