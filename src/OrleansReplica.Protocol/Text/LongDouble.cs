using System.Numerics;

namespace OrleansReplica.Protocol.Text;

/// <summary>
/// An x87 80-bit extended-precision number (C's long double on x86-64), which Redis uses for
/// INCRBYFLOAT and HINCRBYFLOAT: a 64-bit significand, correctly rounded parsing, addition and
/// "%.17Lf" formatting, so results match Redis digit for digit.
/// </summary>
internal readonly struct LongDouble
{
    /// <summary>Longest text Redis accepts as a long double, and the size of its formatting buffer.</summary>
    public const int MaxChars = 5120;

    private const int Precision = 64;
    private const int MinExponent = -16445;          // last-bit exponent of the smallest subnormal
    private const int MaxExponent = 16383 - 63;      // last-bit exponent of the largest finite values
    private const int FastDecimalDigits = 19;        // any 19 decimal digits fit in an ulong
    private const int FastPowerOfFive = 27;          // 5^27 < 2^63
    private const ulong FivePow17 = 762_939_453_125; // 10^17 = 5^17 * 2^17

    private readonly ulong _significand;
    private readonly int _exponent;
    private readonly bool _negative;
    private readonly bool _infinity;

    private LongDouble(ulong significand, int exponent, bool negative, bool infinity = false)
    {
        _significand = significand;
        _exponent = exponent;
        _negative = negative;
        _infinity = infinity;
    }

    public bool IsInfinity => _infinity;

    public bool IsZero => !_infinity && _significand == 0;

    /// <summary>
    /// Redis's string-to-long-double rules: strtold syntax over the whole text (decimal, hex, inf),
    /// no leading space, shorter than <see cref="MaxChars"/>, no NaN, no overflow, no underflow to zero.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        if (s.IsEmpty || s.Length >= MaxChars || !FloatSyntax.TryScan(s, out FloatSyntax syntax))
        {
            return false;
        }

        switch (syntax.Kind)
        {
            case FloatKind.Infinity:
                value = new LongDouble(0, 0, syntax.Negative, infinity: true);
                return true;
            case FloatKind.NaN:
                return false;
        }

        if (!syntax.HasNonZeroDigit())
        {
            value = new LongDouble(0, 0, syntax.Negative);
            return true;
        }

        ulong significand;
        int exponent;
        if (syntax.Kind == FloatKind.Hex)
        {
            significand = ParseHex(syntax, out exponent);
        }
        else if (!TryParseShortDecimal(syntax, out significand, out exponent))
        {
            significand = ParseLongDecimal(syntax, out exponent);
        }

        // strtold reports ERANGE with HUGE_VALL or 0 here, which Redis rejects.
        if (significand == 0 || exponent > MaxExponent)
        {
            return false;
        }

        value = new LongDouble(significand, exponent, syntax.Negative);
        return true;
    }

    /// <summary>The exact long double value of a double.</summary>
    public static LongDouble FromDouble(double d)
    {
        long bits = BitConverter.DoubleToInt64Bits(d);
        bool negative = bits < 0;
        int biased = (int)((bits >> 52) & 0x7FF);
        ulong fraction = (ulong)bits & ((1UL << 52) - 1);
        if (biased == 0x7FF)
        {
            return new LongDouble(0, 0, negative, infinity: true);
        }

        if (biased == 0 && fraction == 0)
        {
            return new LongDouble(0, 0, negative);
        }

        ulong significand = biased == 0 ? fraction : fraction | (1UL << 52);
        int exponent = biased == 0 ? -1074 : biased - 1075;
        int normalize = BitOperations.LeadingZeroCount(significand);
        return new LongDouble(significand << normalize, exponent - normalize, negative);
    }

    /// <summary>a + b rounded to long double; false when the sum is NaN or infinite.</summary>
    public static bool TryAdd(LongDouble a, LongDouble b, out LongDouble sum)
    {
        sum = default;
        if (a._infinity || b._infinity)
        {
            return false;
        }

        if (a.IsZero || b.IsZero)
        {
            // x + 0 = x; +0 + -0 = +0 under round-to-nearest.
            sum = !a.IsZero ? a : !b.IsZero ? b : new LongDouble(0, 0, a._negative && b._negative);
            return true;
        }

        LongDouble high = a._exponent >= b._exponent ? a : b;
        LongDouble low = a._exponent >= b._exponent ? b : a;
        int distance = high._exponent - low._exponent;
        bool subtract = high._negative != low._negative;
        UInt128 total;
        bool sticky = false;
        bool negative = high._negative;
        int exponent;
        if (distance <= 62)
        {
            // Both operands fit exactly in 128 bits once aligned.
            UInt128 x = (UInt128)high._significand << distance;
            UInt128 y = low._significand;
            exponent = low._exponent;
            if (!subtract)
            {
                total = x + y;
            }
            else if (x >= y)
            {
                total = x - y;
            }
            else
            {
                total = y - x;
                negative = low._negative;
            }

            if (total == UInt128.Zero)
            {
                sum = new LongDouble(0, 0, negative: false);
                return true;
            }
        }
        else
        {
            // high is normalized and at least 2^62 times larger: keep 62 guard bits and fold the
            // bits of low that fall off into a sticky bit, which decides rounding exactly.
            UInt128 x = (UInt128)high._significand << 62;
            exponent = high._exponent - 62;
            int shift = distance - 62;
            ulong y = shift >= 64 ? 0 : low._significand >> shift;
            sticky = shift >= 64 ? low._significand != 0 : (low._significand & ((1UL << shift) - 1)) != 0;
            total = subtract ? x - y - (sticky ? UInt128.One : UInt128.Zero) : x + y;
        }

        ulong significand = BinaryRounding.Round(total, sticky, exponent, Precision, MinExponent, out int resultExponent);
        if (resultExponent > MaxExponent)
        {
            return false;
        }

        sum = new LongDouble(significand, resultExponent, negative);
        return true;
    }

    /// <summary>
    /// Redis's "human friendly" long double text: printf "%.17Lf", trailing zeros and a trailing
    /// '.' removed, "-0" written as "0", infinities as "inf"/"-inf".
    /// </summary>
    public int FormatHuman(Span<byte> dest)
    {
        if (_infinity)
        {
            return Copy(_negative ? "-inf"u8 : "inf"u8, dest);
        }

        if (_significand == 0)
        {
            return Copy("0"u8, dest);
        }

        if (_exponent >= 0)
        {
            return _exponent <= 63
                ? FormatScaled((UInt128)_significand << _exponent, fractionDigits: 0, dest)
                : FormatBigInteger(new BigInteger(_significand) << _exponent, dest);
        }

        // value * 10^17 = significand * 5^17 * 2^(exponent + 17), rounded half to even as glibc does.
        UInt128 scaled = (UInt128)_significand * FivePow17;
        int shift = -_exponent - 17;
        return FormatScaled(BinaryRounding.ShiftRightHalfEven(scaled, shift), fractionDigits: 17, dest);
    }

    private int FormatScaled(UInt128 scaled, int fractionDigits, Span<byte> dest)
    {
        if (scaled == UInt128.Zero)
        {
            return Copy("0"u8, dest);
        }

        Span<byte> digits = stackalloc byte[40];
        scaled.TryFormat(digits, out int count, default, null);
        digits = digits[..count];

        // Drop the fraction's trailing zeros (and the point when nothing is left).
        int fraction = fractionDigits;
        while (fraction > 0 && digits[^1] == (byte)'0')
        {
            digits = digits[..^1];
            fraction--;
        }

        int integerDigits = digits.Length - fraction;
        int length = (_negative ? 1 : 0) + Math.Max(integerDigits, 1) + (fraction > 0 ? 1 + fraction : 0);
        EnsureRoom(dest, length);
        int at = 0;
        if (_negative)
        {
            dest[at++] = (byte)'-';
        }

        if (integerDigits > 0)
        {
            digits[..integerDigits].CopyTo(dest[at..]);
            at += integerDigits;
        }
        else
        {
            dest[at++] = (byte)'0';
        }

        if (fraction > 0)
        {
            dest[at++] = (byte)'.';
            for (int i = integerDigits; i < 0; i++)
            {
                dest[at++] = (byte)'0';
            }

            ReadOnlySpan<byte> written = digits[Math.Max(integerDigits, 0)..];
            written.CopyTo(dest[at..]);
            at += written.Length;
        }

        return at;
    }

    private int FormatBigInteger(BigInteger integer, Span<byte> dest)
    {
        // Only for magnitudes of 2^128 and beyond; such INCRBYFLOAT results are rare.
        string text = integer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int length = text.Length + (_negative ? 1 : 0);
        EnsureRoom(dest, length);
        int at = 0;
        if (_negative)
        {
            dest[at++] = (byte)'-';
        }

        foreach (char c in text)
        {
            dest[at++] = (byte)c;
        }

        return at;
    }

    private static bool TryParseShortDecimal(in FloatSyntax syntax, out ulong significand, out int exponent)
    {
        // Up to 19 significant digits times a power of ten within 10^±27 is exact in 128 bits
        // (multiplying) or needs one 128-bit division (dividing): one rounding, no allocation.
        significand = 0;
        exponent = 0;
        ulong digits = 0;
        int kept = 0;
        int dropped = 0;
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

            int digit = c - '0';
            if (kept == 0 && digit == 0)
            {
                continue;
            }

            if (kept < FastDecimalDigits)
            {
                digits = (digits * 10) + (ulong)digit;
                kept++;
            }
            else if (digit == 0)
            {
                dropped++;
            }
            else
            {
                return false;
            }
        }

        long power = (long)syntax.Exponent - fractionDigits + dropped;
        if (power > FastPowerOfFive || power < -FastPowerOfFive)
        {
            return false;
        }

        int p = (int)power;
        if (p >= 0)
        {
            UInt128 product = (UInt128)digits * PowerOfFive(p);
            significand = BinaryRounding.Round(product, false, p, Precision, MinExponent, out exponent);
            return true;
        }

        // digits / 10^-p = (digits * 2^k / 5^-p) * 2^(p - k), with the dividend's top bit at 127 so
        // the quotient keeps more than 64 bits and the remainder becomes the sticky bit.
        int k = BitOperations.LeadingZeroCount(digits) + 64;
        UInt128 dividend = (UInt128)digits << k;
        UInt128 divisor = PowerOfFive(-p);
        UInt128 quotient = dividend / divisor;
        bool sticky = quotient * divisor != dividend;
        significand = BinaryRounding.Round(quotient, sticky, p - k, Precision, MinExponent, out exponent);
        return true;
    }

    private static ulong ParseLongDecimal(in FloatSyntax syntax, out int exponent)
    {
        BigInteger digits = BigInteger.Zero;
        int fractionDigits = 0;
        int significantDigits = 0;
        bool afterPoint = false;
        ulong chunk = 0;
        int chunkDigits = 0;
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

            if (significantDigits == 0 && c == (byte)'0')
            {
                continue;
            }

            significantDigits++;
            chunk = (chunk * 10) + (ulong)(c - '0');
            if (++chunkDigits == 18)
            {
                digits = (digits * 1_000_000_000_000_000_000) + chunk;
                chunk = 0;
                chunkDigits = 0;
            }
        }

        digits = (digits * BigInteger.Pow(10, chunkDigits)) + chunk;
        long power = (long)syntax.Exponent - fractionDigits;

        // Decide overflow and underflow early: long double spans about 10^-4951 .. 10^4932.
        long magnitude = power + significantDigits;
        if (magnitude > 4940)
        {
            exponent = int.MaxValue;
            return 1;
        }

        if (magnitude < -4960)
        {
            exponent = 0;
            return 0;
        }

        int p = (int)power;
        if (p >= 0)
        {
            return BinaryRounding.Round(digits * BigInteger.Pow(10, p), false, 0, Precision, MinExponent, out exponent);
        }

        BigInteger divisor = BigInteger.Pow(10, -p);
        int k = (int)Math.Max(0, divisor.GetBitLength() - digits.GetBitLength() + Precision + 2);
        BigInteger quotient = BigInteger.DivRem(digits << k, divisor, out BigInteger remainder);
        return BinaryRounding.Round(quotient, !remainder.IsZero, -k, Precision, MinExponent, out exponent);
    }

    private static ulong ParseHex(in FloatSyntax syntax, out int exponent)
    {
        long shift = syntax.ReadHexDigits(out UInt128 digits, out bool sticky);
        if (shift > 100_000 || shift < -100_000)
        {
            // Far outside the exponent range: report overflow or underflow.
            exponent = shift > 0 ? int.MaxValue : 0;
            return shift > 0 ? 1UL : 0UL;
        }

        return BinaryRounding.Round(digits, sticky, (int)shift, Precision, MinExponent, out exponent);
    }

    private static UInt128 PowerOfFive(int n)
    {
        ulong result = 1;
        for (int i = 0; i < n; i++)
        {
            result *= 5;
        }

        return result;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> dest)
    {
        EnsureRoom(dest, text.Length);
        text.CopyTo(dest);
        return text.Length;
    }

    private static void EnsureRoom(Span<byte> dest, int length)
    {
        if (dest.Length < length)
        {
            throw new ArgumentException($"The destination needs {length} bytes.", nameof(dest));
        }
    }
}
