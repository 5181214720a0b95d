namespace OrleansReplica.Protocol.Text;

/// <summary>What kind of number a C strtod-style text spells.</summary>
internal enum FloatKind
{
    Decimal,
    Hex,
    Infinity,
    NaN,
}

/// <summary>
/// The parts of a number written in C's strtod grammar (decimal, hex float, inf/infinity, nan),
/// accepted only when the grammar covers the whole text: Redis rejects any unparsed tail.
/// </summary>
internal readonly ref struct FloatSyntax
{
    // Exponents beyond this are clamped: every value they could produce has already
    // overflowed or underflowed, whatever the digits (inputs are at most a few KB).
    private const int ExponentClamp = 100_000_000;

    public readonly bool Negative;
    public readonly FloatKind Kind;

    /// <summary>Mantissa digits with at most one '.', no sign and no "0x".</summary>
    public readonly ReadOnlySpan<byte> Mantissa;

    /// <summary>The written exponent: a power of ten for decimal, of two for hex; clamped.</summary>
    public readonly int Exponent;

    private FloatSyntax(bool negative, FloatKind kind, ReadOnlySpan<byte> mantissa, int exponent)
    {
        Negative = negative;
        Kind = kind;
        Mantissa = mantissa;
        Exponent = exponent;
    }

    public static bool TryScan(ReadOnlySpan<byte> s, out FloatSyntax syntax)
    {
        syntax = default;
        int i = 0;
        bool negative = false;
        if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-'))
        {
            negative = s[i] == (byte)'-';
            i++;
        }

        ReadOnlySpan<byte> rest = s[i..];
        if (StartsWithIgnoreCase(rest, "inf"u8))
        {
            if (rest.Length != 3 && !EqualsIgnoreCase(rest, "infinity"u8))
            {
                return false;
            }

            syntax = new FloatSyntax(negative, FloatKind.Infinity, default, 0);
            return true;
        }

        if (StartsWithIgnoreCase(rest, "nan"u8))
        {
            if (rest.Length != 3 && !IsNanPayload(rest[3..]))
            {
                return false;
            }

            syntax = new FloatSyntax(negative, FloatKind.NaN, default, 0);
            return true;
        }

        bool hex = rest.Length >= 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x';
        if (hex)
        {
            rest = rest[2..];
        }

        int mantissaLength = ScanMantissa(rest, hex, out int digitCount);
        if (digitCount == 0)
        {
            // "0x" with no hex digit: strtod reads just the "0" and leaves "x..." unparsed.
            return false;
        }

        ReadOnlySpan<byte> mantissa = rest[..mantissaLength];
        rest = rest[mantissaLength..];
        int exponent = 0;
        if (rest.Length > 0)
        {
            byte marker = (byte)(rest[0] | 0x20);
            if (marker != (hex ? (byte)'p' : (byte)'e') || !TryScanExponent(rest[1..], out exponent))
            {
                return false;
            }
        }

        syntax = new FloatSyntax(negative, hex ? FloatKind.Hex : FloatKind.Decimal, mantissa, exponent);
        return true;
    }

    /// <summary>Whether any mantissa digit is not zero.</summary>
    public bool HasNonZeroDigit()
    {
        foreach (byte c in Mantissa)
        {
            if (c != (byte)'0' && c != (byte)'.')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// For a hex mantissa: its first 30 significant digits (120 bits) as an integer, whether any
    /// later digit is non-zero, and the power of two that scales the integer to the value.
    /// </summary>
    public long ReadHexDigits(out UInt128 digits, out bool sticky)
    {
        digits = UInt128.Zero;
        sticky = false;
        int kept = 0;
        long shift = Exponent;
        bool afterPoint = false;
        foreach (byte c in Mantissa)
        {
            if (c == (byte)'.')
            {
                afterPoint = true;
                continue;
            }

            int digit = HexDigitValue(c);
            if (afterPoint)
            {
                shift -= 4;
            }

            if (kept == 0 && digit == 0)
            {
                continue;
            }

            if (kept < 30)
            {
                digits = (digits << 4) | (uint)digit;
                kept++;
            }
            else
            {
                sticky |= digit != 0;
                shift += 4;
            }
        }

        return shift;
    }

    public static int HexDigitValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int ScanMantissa(ReadOnlySpan<byte> s, bool hex, out int digitCount)
    {
        digitCount = 0;
        bool seenPoint = false;
        int i = 0;
        for (; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == (byte)'.' && !seenPoint)
            {
                seenPoint = true;
            }
            else if (hex ? HexDigitValue(c) >= 0 : (uint)(c - '0') <= 9)
            {
                digitCount++;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static bool TryScanExponent(ReadOnlySpan<byte> s, out int exponent)
    {
        exponent = 0;
        bool negative = false;
        if (s.Length > 0 && (s[0] == (byte)'+' || s[0] == (byte)'-'))
        {
            negative = s[0] == (byte)'-';
            s = s[1..];
        }

        if (s.IsEmpty)
        {
            return false;
        }

        int value = 0;
        foreach (byte c in s)
        {
            int digit = c - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = value >= ExponentClamp ? ExponentClamp : (value * 10) + digit;
        }

        exponent = negative ? -value : value;
        return true;
    }

    private static bool IsNanPayload(ReadOnlySpan<byte> s)
    {
        if (s.Length < 2 || s[0] != (byte)'(' || s[^1] != (byte)')')
        {
            return false;
        }

        foreach (byte c in s[1..^1])
        {
            if (!char.IsAsciiLetterOrDigit((char)c) && c != (byte)'_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> lowerPrefix) =>
        s.Length >= lowerPrefix.Length && EqualsIgnoreCase(s[..lowerPrefix.Length], lowerPrefix);

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> lower)
    {
        if (s.Length != lower.Length)
        {
            return false;
        }

        for (int i = 0; i < s.Length; i++)
        {
            if ((s[i] | 0x20) != lower[i])
            {
                return false;
            }
        }

        return true;
    }
}
