using System.Globalization;

namespace OrleansReplica.Protocol.Resp;

/// <summary>Formats doubles as C's "%.17g" (what Redis 7.0 puts in double replies): 17 significant digits, trailing zeros dropped.</summary>
internal static class RespDoubleFormatter
{
    /// <summary>Longest output: sign, 17 digits, point, "e-308".</summary>
    public const int MaxLength = 32;

    private const int Precision = 17;

    /// <summary>Writes the text of a finite or non-finite value; infinities as "inf"/"-inf", NaN as "nan" as glibc prints them.</summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            return Copy("nan"u8, destination);
        }

        if (double.IsInfinity(value))
        {
            return Copy(value > 0 ? "inf"u8 : "-inf"u8, destination);
        }

        // "E16" yields the 17 correctly rounded significant digits and the decimal exponent after rounding.
        Span<byte> scientific = stackalloc byte[MaxLength];
        if (!value.TryFormat(scientific, out int length, "E16", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("double did not fit the scientific format buffer");
        }

        scientific = scientific.Slice(0, length);
        bool negative = scientific[0] == (byte)'-';
        int at = negative ? 1 : 0;
        Span<byte> digits = stackalloc byte[Precision];
        digits[0] = scientific[at];
        scientific.Slice(at + 2, Precision - 1).CopyTo(digits.Slice(1));
        int exponent = ParseExponent(scientific.Slice(at + 2 + Precision - 1 + 1));

        int significant = Precision;
        while (significant > 1 && digits[significant - 1] == (byte)'0')
        {
            significant--;
        }

        int w = 0;
        if (negative)
        {
            destination[w++] = (byte)'-';
        }

        if (exponent < -4 || exponent >= Precision)
        {
            w += WriteScientific(digits.Slice(0, significant), exponent, destination.Slice(w));
        }
        else if (exponent >= 0)
        {
            w += WriteFixed(digits, significant, exponent, destination.Slice(w));
        }
        else
        {
            destination[w++] = (byte)'0';
            destination[w++] = (byte)'.';
            for (int i = -1; i > exponent; i--)
            {
                destination[w++] = (byte)'0';
            }

            digits.Slice(0, significant).CopyTo(destination.Slice(w));
            w += significant;
        }

        return w;
    }

    private static int WriteFixed(ReadOnlySpan<byte> digits, int significant, int exponent, Span<byte> destination)
    {
        int integerDigits = exponent + 1;
        digits.Slice(0, integerDigits).CopyTo(destination);
        int w = integerDigits;
        if (significant > integerDigits)
        {
            destination[w++] = (byte)'.';
            digits.Slice(integerDigits, significant - integerDigits).CopyTo(destination.Slice(w));
            w += significant - integerDigits;
        }

        return w;
    }

    private static int WriteScientific(ReadOnlySpan<byte> digits, int exponent, Span<byte> destination)
    {
        int w = 0;
        destination[w++] = digits[0];
        if (digits.Length > 1)
        {
            destination[w++] = (byte)'.';
            digits.Slice(1).CopyTo(destination.Slice(w));
            w += digits.Length - 1;
        }

        destination[w++] = (byte)'e';
        destination[w++] = exponent < 0 ? (byte)'-' : (byte)'+';
        int magnitude = Math.Abs(exponent);
        if (magnitude < 10)
        {
            destination[w++] = (byte)'0';
        }

        magnitude.TryFormat(destination.Slice(w), out int written, default, CultureInfo.InvariantCulture);
        return w + written;
    }

    // The tail of "E16" output: 'E', sign, at least three digits.
    private static int ParseExponent(ReadOnlySpan<byte> tail)
    {
        int value = 0;
        for (int i = 1; i < tail.Length; i++)
        {
            value = (value * 10) + (tail[i] - '0');
        }

        return tail[0] == (byte)'-' ? -value : value;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }
}
