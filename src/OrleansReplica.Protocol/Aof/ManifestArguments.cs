using System.Text;

namespace OrleansReplica.Protocol.Aof;

/// <summary>
/// The argument syntax of manifest lines (the same as redis.conf's): space-separated words,
/// "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes' with \' only.
/// </summary>
internal static class ManifestArguments
{
    /// <summary>Splits a line into its words; null when quotes are unbalanced or a closing quote is glued to more text.</summary>
    public static List<byte[]>? Split(ReadOnlySpan<byte> line)
    {
        var words = new List<byte[]>();
        var current = new List<byte>();
        var p = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p]))
            {
                p++;
            }
            if (p == line.Length)
            {
                return words;
            }
            var inDouble = false;
            var inSingle = false;
            var done = false;
            current.Clear();
            while (!done)
            {
                var c = p < line.Length ? line[p] : (byte)0;
                var atEnd = p >= line.Length;
                if (inDouble)
                {
                    if (c == '\\' && At(line, p + 1) == 'x' && IsHex(At(line, p + 2)) && IsHex(At(line, p + 3)))
                    {
                        current.Add((byte)(HexValue(At(line, p + 2)) * 16 + HexValue(At(line, p + 3))));
                        p += 3;
                    }
                    else if (c == '\\' && p + 1 < line.Length)
                    {
                        p++;
                        current.Add(line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        });
                    }
                    else if (c == '"')
                    {
                        // A closing quote must end the word.
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else if (atEnd)
                    {
                        return null;
                    }
                    else
                    {
                        current.Add(c);
                    }
                }
                else if (inSingle)
                {
                    if (c == '\\' && At(line, p + 1) == '\'')
                    {
                        p++;
                        current.Add((byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else if (atEnd)
                    {
                        return null;
                    }
                    else
                    {
                        current.Add(c);
                    }
                }
                else if (atEnd || c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
                {
                    done = true;
                }
                else if (c == '"')
                {
                    inDouble = true;
                }
                else if (c == '\'')
                {
                    inSingle = true;
                }
                else
                {
                    current.Add(c);
                }
                if (!atEnd)
                {
                    p++;
                }
            }
            words.Add(current.ToArray());
        }
    }

    /// <summary>The name as a manifest stores it: as is, or quoted and escaped when it holds spaces, quotes or unprintable bytes.</summary>
    public static string Quote(string fileName)
    {
        var bytes = Encoding.UTF8.GetBytes(fileName);
        if (!NeedsQuoting(bytes))
        {
            return fileName;
        }
        var text = new StringBuilder(bytes.Length + 8).Append('"');
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'\\': text.Append("\\\\"); break;
                case (byte)'"': text.Append("\\\""); break;
                case (byte)'\n': text.Append("\\n"); break;
                case (byte)'\r': text.Append("\\r"); break;
                case (byte)'\t': text.Append("\\t"); break;
                case (byte)'\a': text.Append("\\a"); break;
                case (byte)'\b': text.Append("\\b"); break;
                default:
                    if (IsPrint(b))
                    {
                        text.Append((char)b);
                    }
                    else
                    {
                        text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    break;
            }
        }
        return text.Append('"').ToString();
    }

    private static bool NeedsQuoting(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (b is (byte)'\\' or (byte)'"' || !IsPrint(b) || IsSpace(b))
            {
                return true;
            }
        }
        return false;
    }

    private static byte At(ReadOnlySpan<byte> line, int index) => index < line.Length ? line[index] : (byte)0;

    /// <summary>C's isspace in the "C" locale.</summary>
    public static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsPrint(byte b) => b >= 0x20 && b < 0x7f;

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
