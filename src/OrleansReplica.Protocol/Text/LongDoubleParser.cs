using System.Numerics;

namespace OrleansReplica.Protocol.Text;

/// <summary>Reads text into a <see cref="LongDouble"/> as glibc's strtold does (correctly rounded), with Redis's checks.</summary>
internal static class LongDoubleParser
{
    private const int FastDecimalDigits = 19;  // any 19 decimal digits fit in an ulong
    private const int FastPowerOfFive = 27;    // 5^27 < 2^63

    /// <summary>
    /// Redis's string-to-long-double rules: strtold syntax over the whole text (decimal, hex, inf),
    /// no leading space, shorter than <see cref="LongDouble.MaxChars"/>, no NaN, no overflow, no underflow to zero.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        if (s.IsEmpty || s.Length >= LongDouble.MaxChars || !FloatSyntax.TryScan(s, out FloatSyntax syntax))
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
        if (significand == 0 || exponent > LongDouble.MaxExponent)
        {
            return false;
        }

        value = new LongDouble(significand, exponent, syntax.Negative);
        return true;
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
            significand = BinaryRounding.Round(product, false, p, LongDouble.Precision, LongDouble.MinExponent, out exponent);
            return true;
        }

        // digits / 10^-p = (digits * 2^k / 5^-p) * 2^(p - k), with the dividend's top bit at 127 so
        // the quotient keeps more than 64 bits and the remainder becomes the sticky bit.
        int k = BitOperations.LeadingZeroCount(digits) + 64;
        UInt128 dividend = (UInt128)digits << k;
        UInt128 divisor = PowerOfFive(-p);
        UInt128 quotient = dividend / divisor;
        bool sticky = quotient * divisor != dividend;
        significand = BinaryRounding.Round(quotient, sticky, p - k, LongDouble.Precision, LongDouble.MinExponent, out exponent);
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
            return BinaryRounding.Round(digits * BigInteger.Pow(10, p), false, 0, LongDouble.Precision, LongDouble.MinExponent, out exponent);
        }

        BigInteger divisor = BigInteger.Pow(10, -p);
        int k = (int)Math.Max(0, divisor.GetBitLength() - digits.GetBitLength() + LongDouble.Precision + 2);
        BigInteger quotient = BigInteger.DivRem(digits << k, divisor, out BigInteger remainder);
        return BinaryRounding.Round(quotient, !remainder.IsZero, -k, LongDouble.Precision, LongDouble.MinExponent, out exponent);
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

        return BinaryRounding.Round(digits, sticky, (int)shift, LongDouble.Precision, LongDouble.MinExponent, out exponent);
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
}
