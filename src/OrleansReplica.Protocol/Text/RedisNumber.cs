using System.Globalization;

namespace OrleansReplica.Protocol.Text;

/// <summary>Redis 7.0's rules for reading and writing numbers as text (integers, doubles, INCRBYFLOAT's long doubles).</summary>
public static class RedisNumber
{
    /// <summary>Longest text <see cref="FormatInt64"/> writes ("-9223372036854775808").</summary>
    public const int MaxInt64Length = 20;

    /// <summary>Longest text <see cref="FormatDouble17g"/> writes ("-2.2250738585072014e-308").</summary>
    public const int MaxDouble17gLength = 24;

    /// <summary>
    /// Redis's MAX_LONG_DOUBLE_CHARS: long double arguments must be shorter, and a destination this
    /// large always holds a <see cref="TryIncrByFloat"/>, <see cref="TryHashIncrByFloat"/> or
    /// <see cref="FormatLongDoubleHuman"/> result.
    /// </summary>
    public const int MaxLongDoubleChars = LongDouble.MaxChars;

    /// <summary>The error for an argument or stored value that is not a float.</summary>
    public const string NotAValidFloatError = "ERR value is not a valid float";

    /// <summary>The error when INCRBYFLOAT or HINCRBYFLOAT would store NaN or an infinity.</summary>
    public const string NaNOrInfinityError = "ERR increment would produce NaN or Infinity";

    /// <summary>HINCRBYFLOAT's error for an infinite increment.</summary>
    public const string IncrementNaNOrInfinityError = "ERR value is NaN or Infinity";

    /// <summary>HINCRBYFLOAT's error for a stored field value that is not a float.</summary>
    public const string HashValueNotAFloatError = "ERR hash value is not a float";

    /// <summary>
    /// Redis's strict text-to-integer rule (string2ll): optional '-', no '+', no spaces, no leading
    /// zeros ("0" itself is fine, "-0" is not), at most 20 characters, within the 64-bit range.
    /// </summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > MaxInt64Length)
        {
            return false;
        }

        if (s.Length == 1 && s[0] == (byte)'0')
        {
            return true;
        }

        bool negative = s[0] == (byte)'-';
        int i = negative ? 1 : 0;
        if (i == s.Length || (uint)(s[i] - '1') > 8)
        {
            return false;
        }

        // The largest magnitude is 9223372036854775808, which fits an ulong.
        ulong magnitude = 0;
        for (; i < s.Length; i++)
        {
            uint digit = (uint)(s[i] - '0');
            if (digit > 9 || magnitude > (ulong.MaxValue - digit) / 10)
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

    /// <summary>
    /// Redis's text-to-double rule (getDoubleFromObject: ZADD scores and other double arguments): C strtod syntax
    /// over the whole text, so decimal, hex floats ("0x1p3"), "inf"/"infinity" with optional sign;
    /// rejects empty text, a leading space, NaN, and values that overflow or underflow to zero.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (!FloatSyntax.TryScan(s, out FloatSyntax syntax))
        {
            return false;
        }

        switch (syntax.Kind)
        {
            case FloatKind.Infinity:
                value = syntax.Negative ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            case FloatKind.NaN:
                return false;
            case FloatKind.Hex:
                return TryParseHexDouble(syntax, out value);
        }

        if (TryParseShortDecimal(syntax, out value))
        {
            return true;
        }

        // The syntax is already strtod's; .NET's parser is correctly rounded for it.
        if (!double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        // strtod signals ERANGE with ±HUGE_VAL or zero; Redis rejects those.
        return !double.IsInfinity(value) && (value != 0 || !syntax.HasNonZeroDigit());
    }

    /// <summary>
    /// Whether Redis accepts the text as a long double (INCRBYFLOAT and HINCRBYFLOAT arguments and
    /// stored values): strtold syntax as <see cref="TryParseDouble"/>, shorter than
    /// <see cref="MaxLongDoubleChars"/>, and checked against the wider long double range.
    /// </summary>
    public static bool IsValidLongDouble(ReadOnlySpan<byte> s) => LongDoubleParser.TryParse(s, out _);

    /// <summary>Writes the decimal text of <paramref name="value"/>; returns its length.</summary>
    public static int FormatInt64(long value, Span<byte> dest)
    {
        if (!value.TryFormat(dest, out int written, default, CultureInfo.InvariantCulture))
        {
            throw new ArgumentException("The destination is too small.", nameof(dest));
        }

        return written;
    }

    /// <summary>
    /// Writes <paramref name="value"/> exactly as C's printf("%.17g") (glibc): 17 significant digits,
    /// trailing zeros removed, exponent form such as "1e+20" outside 1e-4 .. 1e17, "inf", "-inf",
    /// and "nan" or "-nan" after the NaN's sign bit. Redis 7.0 writes doubles in replies this way.
    /// </summary>
    public static int FormatDouble17g(double value, Span<byte> dest)
    {
        if (!double.IsFinite(value))
        {
            bool negative = BitConverter.DoubleToInt64Bits(value) < 0;
            ReadOnlySpan<byte> text = double.IsNaN(value)
                ? (negative ? "-nan"u8 : "nan"u8)
                : (negative ? "-inf"u8 : "inf"u8);
            return Copy(text, dest);
        }

        // "E16" gives the 17 correctly rounded significant digits (ties to even, as glibc):
        // [-]d.ddddddddddddddddE+ddd.
        Span<byte> scientific = stackalloc byte[32];
        value.TryFormat(scientific, out int length, "E16", CultureInfo.InvariantCulture);
        scientific = scientific[..length];
        bool isNegative = scientific[0] == (byte)'-';
        int first = isNegative ? 1 : 0;
        Span<byte> digits = stackalloc byte[17];
        digits[0] = scientific[first];
        scientific.Slice(first + 2, 16).CopyTo(digits[1..]);
        int exponentAt = first + 18;
        int exponent = 0;
        for (int i = exponentAt + 2; i < scientific.Length; i++)
        {
            exponent = (exponent * 10) + (scientific[i] - '0');
        }

        if (scientific[exponentAt + 1] == (byte)'-')
        {
            exponent = -exponent;
        }

        int significant = 17;
        while (significant > 1 && digits[significant - 1] == (byte)'0')
        {
            significant--;
        }

        digits = digits[..significant];
        Span<byte> output = stackalloc byte[MaxDouble17gLength + 8];
        int at = 0;
        if (isNegative)
        {
            output[at++] = (byte)'-';
        }

        if (exponent >= -4 && exponent < 17)
        {
            // Fixed notation, the digits shifted by the exponent.
            if (exponent < 0)
            {
                output[at++] = (byte)'0';
                output[at++] = (byte)'.';
                for (int i = -1; i > exponent; i--)
                {
                    output[at++] = (byte)'0';
                }

                digits.CopyTo(output[at..]);
                at += digits.Length;
            }
            else
            {
                for (int i = 0; i <= exponent; i++)
                {
                    output[at++] = i < digits.Length ? digits[i] : (byte)'0';
                }

                if (digits.Length > exponent + 1)
                {
                    output[at++] = (byte)'.';
                    digits[(exponent + 1)..].CopyTo(output[at..]);
                    at += digits.Length - exponent - 1;
                }
            }
        }
        else
        {
            output[at++] = digits[0];
            if (digits.Length > 1)
            {
                output[at++] = (byte)'.';
                digits[1..].CopyTo(output[at..]);
                at += digits.Length - 1;
            }

            output[at++] = (byte)'e';
            output[at++] = exponent < 0 ? (byte)'-' : (byte)'+';
            int magnitude = Math.Abs(exponent);
            if (magnitude >= 100)
            {
                output[at++] = (byte)('0' + (magnitude / 100));
            }

            output[at++] = (byte)('0' + (magnitude / 10 % 10));
            output[at++] = (byte)('0' + (magnitude % 10));
        }

        return Copy(output[..at], dest);
    }

    /// <summary>
    /// Writes a double the way Redis writes a long double for humans (INCRBYFLOAT's reply and stored
    /// value): printf("%.17Lf") of the exact value, trailing zeros and point removed, "-0" as "0".
    /// </summary>
    public static int FormatLongDoubleHuman(double value, Span<byte> dest)
    {
        if (double.IsNaN(value))
        {
            return Copy(BitConverter.DoubleToInt64Bits(value) < 0 ? "-nan"u8 : "nan"u8, dest);
        }

        return LongDouble.FromDouble(value).FormatHuman(dest);
    }

    /// <summary>
    /// INCRBYFLOAT: adds <paramref name="increment"/> to <paramref name="current"/> (pass "0" for a
    /// missing key) in long double precision and writes the new value as Redis stores and replies it,
    /// e.g. "10.50" + "0.1" → "10.6". On failure <paramref name="error"/> is
    /// <see cref="NotAValidFloatError"/> (either text invalid) or <see cref="NaNOrInfinityError"/>.
    /// Throws <see cref="ArgumentException"/> when <paramref name="dest"/> is too small; 64 bytes hold
    /// any result below 10^40, <see cref="MaxLongDoubleChars"/> hold every result.
    /// </summary>
    public static bool TryIncrByFloat(ReadOnlySpan<byte> current, ReadOnlySpan<byte> increment, Span<byte> dest, out int written, out string? error)
    {
        written = 0;
        if (!LongDoubleParser.TryParse(current, out LongDouble value) || !LongDoubleParser.TryParse(increment, out LongDouble delta))
        {
            error = NotAValidFloatError;
            return false;
        }

        return TryWriteSum(value, delta, dest, out written, out error);
    }

    /// <summary>
    /// HINCRBYFLOAT: as <see cref="TryIncrByFloat"/> with that command's checks and texts, in its order:
    /// <see cref="NotAValidFloatError"/> (increment), <see cref="IncrementNaNOrInfinityError"/> (infinite
    /// increment), <see cref="HashValueNotAFloatError"/> (stored value; pass "0" for a missing field),
    /// <see cref="NaNOrInfinityError"/> (result).
    /// </summary>
    public static bool TryHashIncrByFloat(ReadOnlySpan<byte> current, ReadOnlySpan<byte> increment, Span<byte> dest, out int written, out string? error)
    {
        written = 0;
        if (!LongDoubleParser.TryParse(increment, out LongDouble delta))
        {
            error = NotAValidFloatError;
            return false;
        }

        if (delta.IsInfinity)
        {
            error = IncrementNaNOrInfinityError;
            return false;
        }

        if (!LongDoubleParser.TryParse(current, out LongDouble value))
        {
            error = HashValueNotAFloatError;
            return false;
        }

        return TryWriteSum(value, delta, dest, out written, out error);
    }

    private static bool TryWriteSum(LongDouble value, LongDouble delta, Span<byte> dest, out int written, out string? error)
    {
        written = 0;
        if (!LongDouble.TryAdd(value, delta, out LongDouble sum))
        {
            error = NaNOrInfinityError;
            return false;
        }

        written = sum.FormatHuman(dest);
        error = null;
        return true;
    }

    // Exact powers of ten as doubles (10^22 is the largest). An array, not a span over data: unoptimized
    // JIT code allocates on every access to a span property of non-byte constants.
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    private static bool TryParseShortDecimal(in FloatSyntax syntax, out double value)
    {
        // Up to 15 digits and a power of ten up to 10^22 are both exact doubles, so one IEEE
        // multiplication or division rounds correctly (Clinger's fast path); typical scores land here.
        value = 0;
        ulong digits = 0;
        int kept = 0;
        int fractionDigits = 0;
        bool afterPoint = false;
        foreach (byte c in syntax.Mantissa)
        {
            if (c == (byte)'.')
            {
                afterPoint = true;
                continue;
            }

            if (afterPoint)
            {
                fractionDigits++;
            }

            if (kept == 0 && c == (byte)'0')
            {
                continue;
            }

            if (++kept > 15)
            {
                return false;
            }

            digits = (digits * 10) + (ulong)(c - '0');
        }

        long power = (long)syntax.Exponent - fractionDigits;
        if (power < -22 || power > 22)
        {
            return false;
        }

        double magnitude = power >= 0 ? digits * PowersOfTen[(int)power] : digits / PowersOfTen[(int)-power];
        value = syntax.Negative ? -magnitude : magnitude;
        return true;
    }

    private static bool TryParseHexDouble(in FloatSyntax syntax, out double value)
    {
        value = syntax.Negative ? -0.0 : 0.0;
        if (!syntax.HasNonZeroDigit())
        {
            return true;
        }

        long shift = syntax.ReadHexDigits(out UInt128 digits, out bool sticky);
        if (shift > 10_000 || shift < -10_000)
        {
            return false;
        }

        const int precision = 53;
        ulong significand = BinaryRounding.Round(digits, sticky, (int)shift, precision, -1074, out int exponent);
        if (significand == 0 || exponent > 1023 - (precision - 1))
        {
            return false;
        }

        // A significand below 2^52 is subnormal (exponent field 0).
        long bits = significand >> (precision - 1) == 0
            ? (long)significand
            : ((long)(exponent + 1075) << 52) | (long)(significand & ((1UL << 52) - 1));
        value = BitConverter.Int64BitsToDouble(syntax.Negative ? bits | long.MinValue : bits);
        return true;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> dest)
    {
        if (dest.Length < text.Length)
        {
            throw new ArgumentException($"The destination needs {text.Length} bytes.", nameof(dest));
        }

        text.CopyTo(dest);
        return text.Length;
    }
}
