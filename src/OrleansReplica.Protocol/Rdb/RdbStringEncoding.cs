using System.Buffers.Text;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>When Redis stores a string as an integer: a canonical decimal (no sign "+", no leading zeros, no "-0") that round-trips.</summary>
internal static class RdbStringEncoding
{
    public static bool TryParseCanonicalInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 20)
        {
            return false;
        }
        if (!Utf8Parser.TryParse(text, out value, out var consumed) || consumed != text.Length)
        {
            return false;
        }
        Span<byte> canonical = stackalloc byte[20];
        return Utf8Formatter.TryFormat(value, canonical, out var written) && canonical[..written].SequenceEqual(text);
    }
}
