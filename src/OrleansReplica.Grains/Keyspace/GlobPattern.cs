namespace OrleansReplica.Grains.Keyspace;

/// <summary>
/// Redis's glob matching (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET, ACL key patterns): '*', '?',
/// "[abc]", "[^a]", "[a-z]" (reversed ranges allowed), backslash escapes; byte-wise, case-folding only ASCII.
/// </summary>
/// <remarks>
/// Faithful to Redis 7.0's corner cases: a '*' never matches an empty text on its own (KEYS and
/// SCAN treat the pattern "*" as match-all before matching), an unterminated class ends the pattern,
/// a backslash inside a class is compared case-sensitively, range bounds compare as signed chars.
/// Like Redis it gives up after 1000 nested stars and stops retrying earlier stars once a later
/// star failed everywhere, so no pattern costs more than polynomial time.
/// </remarks>
public static class GlobPattern
{
    private const int MaxNesting = 1000;

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        bool gaveUp = false;
        return Match(pattern, text, ignoreCase, ref gaveUp, 0);
    }

    // gaveUp is shared by the whole match: once the rest of the pattern after some '*' matched at no
    // position of the remaining text, stretching an earlier '*' cannot help (it only shortens the text).
    private static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase, ref bool gaveUp, int nesting)
    {
        if (nesting > MaxNesting)
        {
            return false;
        }

        int p = 0;
        int t = 0;
        while (p < pattern.Length && t < text.Length)
        {
            switch (pattern[p])
            {
                case (byte)'*':
                    while (p + 1 < pattern.Length && pattern[p + 1] == (byte)'*')
                    {
                        p++;
                    }

                    if (p + 1 == pattern.Length)
                    {
                        return true;
                    }

                    for (; t < text.Length; t++)
                    {
                        if (Match(pattern[(p + 1)..], text[t..], ignoreCase, ref gaveUp, nesting + 1))
                        {
                            return true;
                        }

                        if (gaveUp)
                        {
                            return false;
                        }
                    }

                    gaveUp = true;
                    return false;

                case (byte)'?':
                    t++;
                    break;

                case (byte)'[':
                    if (!MatchClass(pattern, ref p, text[t], ignoreCase))
                    {
                        return false;
                    }

                    t++;
                    break;

                default:
                    if (pattern[p] == (byte)'\\' && p + 1 < pattern.Length)
                    {
                        p++;
                    }

                    if (!SameByte(pattern[p], text[t], ignoreCase))
                    {
                        return false;
                    }

                    t++;
                    break;
            }

            p++;
            if (t == text.Length)
            {
                // The text is used up: only trailing stars may remain.
                while (p < pattern.Length && pattern[p] == (byte)'*')
                {
                    p++;
                }

                break;
            }
        }

        return p == pattern.Length && t == text.Length;
    }

    // On entry p is at '['; on exit p is at the closing ']' (or the last pattern byte when the class
    // is unterminated), so the caller's step moves past the class.
    private static bool MatchClass(ReadOnlySpan<byte> pattern, ref int p, byte c, bool ignoreCase)
    {
        p++;
        bool negate = p < pattern.Length && pattern[p] == (byte)'^';
        if (negate)
        {
            p++;
        }

        bool matched = false;
        while (true)
        {
            int remaining = pattern.Length - p;
            if (remaining >= 2 && pattern[p] == (byte)'\\')
            {
                p++;
                matched |= pattern[p] == c;
            }
            else if (remaining > 0 && pattern[p] == (byte)']')
            {
                break;
            }
            else if (remaining == 0)
            {
                p--;
                break;
            }
            else if (remaining >= 3 && pattern[p + 1] == (byte)'-')
            {
                // Redis compares range bounds as (signed) chars and accepts them in either order.
                int start = (sbyte)pattern[p];
                int end = (sbyte)pattern[p + 2];
                int value = (sbyte)c;
                if (start > end)
                {
                    (start, end) = (end, start);
                }

                if (ignoreCase)
                {
                    start = ToLower(start);
                    end = ToLower(end);
                    value = ToLower(value);
                }

                p += 2;
                matched |= value >= start && value <= end;
            }
            else
            {
                matched |= SameByte(pattern[p], c, ignoreCase);
            }

            p++;
        }

        return matched != negate;
    }

    private static bool SameByte(byte a, byte b, bool ignoreCase) =>
        a == b || (ignoreCase && ToLower(a) == ToLower(b));

    // C's tolower in the "C" locale: only ASCII letters fold.
    private static int ToLower(int c) => c is >= 'A' and <= 'Z' ? c + 32 : c;
}
