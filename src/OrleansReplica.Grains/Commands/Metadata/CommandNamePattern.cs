namespace OrleansReplica.Grains.Commands.Metadata;

/// <summary>Redis's glob matching (<c>* ? [a-z] [^x] \x</c>), ASCII case-insensitive, as COMMAND LIST FILTERBY PATTERN uses it.</summary>
internal static class CommandNamePattern
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        while (!pattern.IsEmpty)
        {
            switch (pattern[0])
            {
                case (byte)'*':
                    while (pattern.Length > 1 && pattern[1] == '*')
                    {
                        pattern = pattern[1..];
                    }
                    if (pattern.Length == 1)
                    {
                        return true;
                    }
                    for (var i = 0; i <= text.Length; i++)
                    {
                        if (IsMatch(pattern[1..], text[i..]))
                        {
                            return true;
                        }
                    }
                    return false;
                case (byte)'?':
                    if (text.IsEmpty)
                    {
                        return false;
                    }
                    text = text[1..];
                    pattern = pattern[1..];
                    break;
                case (byte)'[':
                    if (text.IsEmpty || !MatchSet(ref pattern, text[0]))
                    {
                        return false;
                    }
                    text = text[1..];
                    break;
                default:
                    if (pattern[0] == '\\' && pattern.Length >= 2)
                    {
                        pattern = pattern[1..];
                    }
                    if (text.IsEmpty || Lower(pattern[0]) != Lower(text[0]))
                    {
                        return false;
                    }
                    text = text[1..];
                    pattern = pattern[1..];
                    break;
            }
        }
        return text.IsEmpty;
    }

    /// <summary>Matches one byte against "[...]" and moves the pattern past the set (an unclosed set runs to the end).</summary>
    private static bool MatchSet(ref ReadOnlySpan<byte> pattern, byte c)
    {
        var i = 1;
        var negate = i < pattern.Length && pattern[i] == '^';
        if (negate)
        {
            i++;
        }
        var match = false;
        while (i < pattern.Length && pattern[i] != ']')
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                i++;
                match |= pattern[i] == c;
            }
            else if (i + 2 < pattern.Length && pattern[i + 1] == '-')
            {
                var (start, end) = (Lower(pattern[i]), Lower(pattern[i + 2]));
                if (start > end)
                {
                    (start, end) = (end, start);
                }
                match |= Lower(c) >= start && Lower(c) <= end;
                i += 2;
            }
            else
            {
                match |= Lower(pattern[i]) == Lower(c);
            }
            i++;
        }
        pattern = i < pattern.Length ? pattern[(i + 1)..] : [];
        return match != negate;
    }

    private static byte Lower(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c;
}
