namespace OrleansReplica.Hosting.Configuration;

/// <summary>Redis glob matching (<c>* ? [a-z] [^x] \x</c>); CONFIG GET matches without case.</summary>
internal static class ConfigGlob
{
    /// <summary>True when the text has a glob character, so CONFIG GET scans every name.</summary>
    public static bool HasWildcard(string pattern) => pattern.AsSpan().IndexOfAny('*', '?', '[') >= 0;

    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase = true)
    {
        while (pattern.Length > 0)
        {
            switch (pattern[0])
            {
                case '*':
                    while (pattern.Length > 1 && pattern[1] == '*')
                    {
                        pattern = pattern[1..];
                    }

                    if (pattern.Length == 1)
                    {
                        return true;
                    }

                    for (int i = 0; i <= text.Length; i++)
                    {
                        if (IsMatch(pattern[1..], text[i..], ignoreCase))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (text.Length == 0)
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
                case '[':
                    if (text.Length == 0 || !MatchClass(ref pattern, text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
                case '\\' when pattern.Length >= 2:
                    pattern = pattern[1..];
                    if (text.Length == 0 || Fold(pattern[0], ignoreCase) != Fold(text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
                default:
                    if (text.Length == 0 || Fold(pattern[0], ignoreCase) != Fold(text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
            }

            pattern = pattern[1..];
            if (text.Length == 0)
            {
                // Only stars may remain.
                while (pattern.Length > 0 && pattern[0] == '*')
                {
                    pattern = pattern[1..];
                }

                return pattern.Length == 0;
            }
        }

        return text.Length == 0;
    }

    // On entry pattern[0] is '['; on exit pattern[0] is the closing ']' (or the last character).
    private static bool MatchClass(ref ReadOnlySpan<char> pattern, char c, bool ignoreCase)
    {
        pattern = pattern[1..];
        bool negate = pattern.Length > 0 && pattern[0] == '^';
        if (negate)
        {
            pattern = pattern[1..];
        }

        bool match = false;
        char lc = Fold(c, ignoreCase);
        while (true)
        {
            if (pattern.Length == 0)
            {
                // Unterminated class: step back so the caller's advance ends the pattern.
                pattern = " ";
                break;
            }

            if (pattern[0] == '\\' && pattern.Length >= 2)
            {
                pattern = pattern[1..];
                match |= Fold(pattern[0], ignoreCase) == lc;
            }
            else if (pattern[0] == ']')
            {
                break;
            }
            else if (pattern.Length >= 3 && pattern[1] == '-')
            {
                char start = Fold(pattern[0], ignoreCase), end = Fold(pattern[2], ignoreCase);
                if (start > end)
                {
                    (start, end) = (end, start);
                }

                match |= lc >= start && lc <= end;
                pattern = pattern[2..];
            }
            else
            {
                match |= Fold(pattern[0], ignoreCase) == lc;
            }

            pattern = pattern[1..];
        }

        return negate ? !match : match;
    }

    private static char Fold(char c, bool ignoreCase) => ignoreCase ? char.ToLowerInvariant(c) : c;
}
