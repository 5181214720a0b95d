using System.Numerics;

namespace OrleansReplica.Protocol.Text;

/// <summary>Round-half-to-even of exact binary values to a floating-point significand, as IEEE hardware rounds.</summary>
internal static class BinaryRounding
{
    /// <summary>
    /// Rounds (<paramref name="value"/> + a positive fraction below one when <paramref name="sticky"/>)
    /// × 2^<paramref name="exponent"/> to <paramref name="precision"/> significant bits, never placing
    /// the last bit below 2^<paramref name="minExponent"/> (gradual underflow).
    /// Returns the significand (0 when everything rounded away) and its exponent.
    /// </summary>
    public static ulong Round(UInt128 value, bool sticky, int exponent, int precision, int minExponent, out int resultExponent)
    {
        if (value == UInt128.Zero)
        {
            resultExponent = minExponent;
            return 0;
        }

        int bitLength = 128 - (int)UInt128.LeadingZeroCount(value);
        int target = Math.Max(exponent + bitLength - precision, minExponent);
        int shift = target - exponent;
        UInt128 significand;
        if (shift <= 0)
        {
            // Exact, and a sticky fraction lies below half of the last bit: round down.
            significand = value << -shift;
        }
        else
        {
            significand = ShiftRightHalfEven(value, shift, sticky);
            if (significand >> precision != UInt128.Zero)
            {
                significand >>= 1;
                target++;
            }
        }

        resultExponent = target;
        return (ulong)significand;
    }

    /// <summary>The BigInteger form of <see cref="Round(UInt128, bool, int, int, int, out int)"/>, for huge or tiny values.</summary>
    public static ulong Round(BigInteger value, bool sticky, int exponent, int precision, int minExponent, out int resultExponent)
    {
        long excess = (long)value.GetBitLength() - 128;
        if (excess > 0)
        {
            BigInteger kept = value >> (int)excess;
            sticky |= !(kept << (int)excess).Equals(value);
            value = kept;
            exponent += (int)excess;
        }

        return Round((UInt128)value, sticky, exponent, precision, minExponent, out resultExponent);
    }

    /// <summary><paramref name="value"/> / 2^<paramref name="shift"/> (plus a sticky fraction below one unit) rounded half to even.</summary>
    public static UInt128 ShiftRightHalfEven(UInt128 value, int shift, bool sticky = false)
    {
        if (shift <= 0)
        {
            return value << -shift;
        }

        if (shift > 128)
        {
            return UInt128.Zero;
        }

        UInt128 quotient = shift == 128 ? UInt128.Zero : value >> shift;
        UInt128 remainder = shift == 128 ? value : value & ((UInt128.One << shift) - 1);
        UInt128 half = UInt128.One << (shift - 1);
        bool roundUp = remainder > half || (remainder == half && (sticky || (quotient & UInt128.One) != UInt128.Zero));
        return roundUp ? quotient + 1 : quotient;
    }
}
