namespace OrleansReplica.Protocol.Aof;

/// <summary>
/// Numbers as Redis's AOF tools read them (C's strtol): leading white space, an optional sign,
/// decimal digits up to the first other byte, clamped to the range of a long.
/// </summary>
public static class AofNumberSyntax
{
    /// <summary>
    /// Parses the start of <paramref name="text"/> (which ends at its first NUL byte, as a C string does).
    /// <paramref name="end"/> is the index just past the digits, or 0 when there are none.
    /// </summary>
    public static long Parse(ReadOnlySpan<byte> text, out int end, out bool overflow)
    {
        var nul = text.IndexOf((byte)0);
        if (nul >= 0)
        {
            text = text[..nul];
        }
        overflow = false;
        end = 0;
        var p = 0;
        while (p < text.Length && ManifestArguments.IsSpace(text[p]))
        {
            p++;
        }
        var negative = false;
        if (p < text.Length && text[p] is (byte)'+' or (byte)'-')
        {
            negative = text[p] == '-';
            p++;
        }
        var firstDigit = p;
        ulong magnitude = 0;
        var limit = negative ? 9223372036854775808UL : long.MaxValue;
        while (p < text.Length && text[p] is >= (byte)'0' and <= (byte)'9')
        {
            var digit = (ulong)(text[p] - '0');
            if (!overflow && magnitude > (limit - digit) / 10)
            {
                overflow = true;
            }
            if (!overflow)
            {
                magnitude = magnitude * 10 + digit;
            }
            p++;
        }
        if (p == firstDigit)
        {
            return 0;
        }
        end = p;
        if (overflow)
        {
            return negative ? long.MinValue : long.MaxValue;
        }
        return negative ? (long)(0 - magnitude) : (long)magnitude;
    }

    /// <summary>A whole argument as strtol with an end check accepts it ("" is 0); false on trailing bytes or overflow.</summary>
    public static bool TryParseWhole(string text, out long value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        value = Parse(bytes, out var end, out var overflow);
        if (end == 0)
        {
            // No digits: strtol leaves the end pointer at the start.
            return bytes.Length == 0;
        }
        return !overflow && end == bytes.Length;
    }
}
