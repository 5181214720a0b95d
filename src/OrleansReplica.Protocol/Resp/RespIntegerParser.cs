namespace OrleansReplica.Protocol.Resp;

/// <summary>Parses the decimal lengths of request headers with Redis's strict rules (no sign '+', no leading zeros, no spaces, "-0" rejected).</summary>
internal static class RespIntegerParser
{
    // Redis rejects any candidate of 21 characters or more before looking at it.
    public const int MaxLength = 20;

    public static bool TryParse(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        if (text.Length == 1 && text[0] == (byte)'0')
        {
            return true;
        }

        bool negative = text[0] == (byte)'-';
        int i = negative ? 1 : 0;
        if (i == text.Length || text[i] < (byte)'1' || text[i] > (byte)'9')
        {
            return false;
        }

        ulong magnitude = 0;
        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - (byte)'0');
            if (digit > 9)
            {
                return false;
            }

            if (magnitude > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            magnitude = (magnitude * 10) + digit;
        }

        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = (long)(0 - magnitude);
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }
}
