using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>Sorted-set scores stored as text (old zset encoding, ziplist and listpack entries): "%.17g" numbers, "inf", "-inf".</summary>
internal static class RdbScore
{
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        if (text.Length == 0 || text.Length > 128)
        {
            value = 0;
            return false;
        }
        if (Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length)
        {
            return !double.IsNaN(value);
        }
        Span<char> chars = stackalloc char[text.Length];
        Encoding.Latin1.GetChars(text, chars);
        var trimmed = chars.TrimStart('+');
        if (trimmed.Equals("inf", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = chars[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (chars[0] == '-' && (chars[1..].Equals("inf", StringComparison.OrdinalIgnoreCase) || chars[1..].Equals("infinity", StringComparison.OrdinalIgnoreCase)))
        {
            value = double.NegativeInfinity;
            return true;
        }
        if (double.TryParse(chars, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value))
        {
            return true;
        }
        value = 0;
        return false;
    }

    public static bool IsInteger(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && text.Length > 0;
}
