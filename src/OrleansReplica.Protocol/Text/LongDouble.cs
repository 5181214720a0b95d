using System.Numerics;

namespace OrleansReplica.Protocol.Text;

/// <summary>
/// An x87 80-bit extended-precision number (C's long double on x86-64), which Redis uses for
/// INCRBYFLOAT and HINCRBYFLOAT: a 64-bit significand with correctly rounded addition and exact
/// "%.17Lf" formatting, so results match Redis digit for digit (<see cref="LongDoubleParser"/> reads them).
/// </summary>
internal readonly struct LongDouble
{
    /// <summary>Longest text Redis accepts as a long double, and the size of its formatting buffer.</summary>
    public const int MaxChars = 5120;

    internal const int Precision = 64;
    internal const int MinExponent = -16445;          // last-bit exponent of the smallest subnormal
    internal const int MaxExponent = 16383 - 63;      // last-bit exponent of the largest finite values
    private const ulong FivePow17 = 762_939_453_125;  // 10^17 = 5^17 * 2^17

    private readonly ulong _significand;
    private readonly int _exponent;
    private readonly bool _negative;
    private readonly bool _infinity;

    internal LongDouble(ulong significand, int exponent, bool negative, bool infinity = false)
    {
        _significand = significand;
        _exponent = exponent;
        _negative = negative;
        _infinity = infinity;
    }

    public bool IsInfinity => _infinity;

    public bool IsZero => !_infinity && _significand == 0;

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
