namespace OrleansReplica.Hosting.Configuration;

/// <summary>Number syntaxes of redis.conf: strict integers, memory sizes (1k, 1kb, 1gb) and C strtoll.</summary>
public static class ConfigNumbers
{
    /// <summary>Strict signed 64-bit integer: no sign other than '-', no spaces, no leading zeros.</summary>
    public static bool TryParseInt64(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length >= 21)
        {
            return false;
        }

        if (s is "0")
        {
            return true;
        }

        bool negative = s[0] == '-';
        var digits = negative ? s[1..] : s;
        if (digits.Length == 0 || digits[0] < '1' || digits[0] > '9')
        {
            return false;
        }

        ulong v = 0;
        foreach (char c in digits)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }

            if (v > (ulong.MaxValue - (ulong)(c - '0')) / 10)
            {
                return false;
            }

            v = v * 10 + (ulong)(c - '0');
        }

        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = (long)(0 - v);
            return true;
        }

        if (v > long.MaxValue)
        {
            return false;
        }

        value = (long)v;
        return true;
    }

    /// <summary>
    /// Memory size: digits then an optional unit b, k (1000), kb (1024), m, mb, g, gb, any case.
    /// Like Redis, no digits means 0 and an overflow wraps instead of failing.
    /// </summary>
    public static bool TryParseMemory(ReadOnlySpan<char> s, out ulong bytes)
    {
        bytes = 0;
        if (s.Length > 0 && s[0] == '-')
        {
            return false;
        }

        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        ulong multiplier;
        var unit = s[digits..];
        if (unit.Length == 0 || unit.Equals("b", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1;
        }
        else if (unit.Equals("k", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1000;
        }
        else if (unit.Equals("kb", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1024;
        }
        else if (unit.Equals("m", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1000 * 1000;
        }
        else if (unit.Equals("mb", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1024 * 1024;
        }
        else if (unit.Equals("g", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1000UL * 1000 * 1000;
        }
        else if (unit.Equals("gb", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = 1024UL * 1024 * 1024;
        }
        else
        {
            return false;
        }

        if (digits >= 128)
        {
            return false;
        }

        ulong value = 0;
        foreach (char c in s[..digits])
        {
            ulong d = (ulong)(c - '0');
            value = value > (ulong.MaxValue - d) / 10 ? ulong.MaxValue : value * 10 + d;
        }

        bytes = unchecked(value * multiplier);
        return true;
    }

    /// <summary>C strtoll: leading spaces, optional sign, digits in the base; true when the whole text was consumed.</summary>
    public static bool TryParseC(ReadOnlySpan<char> s, int numberBase, out long value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && ConfigArgs.IsSpace(s[i]))
        {
            i++;
        }

        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        int start = i;
        ulong v = 0;
        bool overflow = false;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && s[i] - '0' < numberBase)
        {
            ulong d = (ulong)(s[i] - '0');
            if (v > (ulong.MaxValue - d) / (ulong)numberBase)
            {
                overflow = true;
            }
            else
            {
                v = v * (ulong)numberBase + d;
            }

            i++;
        }

        if (i == start)
        {
            // No digits: strtoll stops at the very beginning, so only an empty text counts as consumed.
            return s.Length == 0;
        }

        if (negative)
        {
            value = overflow || v > (ulong)long.MaxValue + 1 ? long.MinValue : (long)(0 - v);
        }
        else
        {
            value = overflow || v > long.MaxValue ? long.MaxValue : (long)v;
        }

        return i == s.Length;
    }

    /// <summary>Bytes as CONFIG REWRITE writes them: the largest of gb, mb, kb that divides the value.</summary>
    public static string FormatMemory(long bytes)
    {
        const long gb = 1024L * 1024 * 1024, mb = 1024L * 1024, kb = 1024;
        if (bytes != 0 && bytes % gb == 0)
        {
            return $"{bytes / gb}gb";
        }

        if (bytes != 0 && bytes % mb == 0)
        {
            return $"{bytes / mb}mb";
        }

        if (bytes != 0 && bytes % kb == 0)
        {
            return $"{bytes / kb}kb";
        }

        return bytes.ToString();
    }
}
