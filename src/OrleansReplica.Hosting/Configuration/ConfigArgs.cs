using System.Text;

namespace OrleansReplica.Hosting.Configuration;

/// <summary>Splits and quotes config lines the way redis.conf does ("..." with escapes, '...', bare words).</summary>
public static class ConfigArgs
{
    /// <summary>Splits a line into arguments; returns null when quotes are unbalanced.</summary>
    public static List<string>? Split(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        int i = 0, n = line.Length;
        while (true)
        {
            while (i < n && IsSpace(line[i]))
            {
                i++;
            }

            if (i >= n)
            {
                return args;
            }

            bool inDouble = false, inSingle = false, done = false;
            current.Clear();
            while (!done)
            {
                if (inDouble)
                {
                    if (i >= n)
                    {
                        return null;
                    }

                    char c = line[i];
                    if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
                    {
                        current.Append((char)(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
                        i += 3;
                    }
                    else if (c == '\\' && i + 1 < n)
                    {
                        i++;
                        current.Append(line[i] switch
                        {
                            'n' => '\n',
                            'r' => '\r',
                            't' => '\t',
                            'b' => '\b',
                            'a' => '\a',
                            var other => other,
                        });
                    }
                    else if (c == '"')
                    {
                        // A closing quote must end the argument.
                        if (i + 1 < n && !IsSpace(line[i + 1]))
                        {
                            return null;
                        }

                        done = true;
                    }
                    else
                    {
                        current.Append(c);
                    }
                }
                else if (inSingle)
                {
                    if (i >= n)
                    {
                        return null;
                    }

                    char c = line[i];
                    if (c == '\\' && i + 1 < n && line[i + 1] == '\'')
                    {
                        i++;
                        current.Append('\'');
                    }
                    else if (c == '\'')
                    {
                        if (i + 1 < n && !IsSpace(line[i + 1]))
                        {
                            return null;
                        }

                        done = true;
                    }
                    else
                    {
                        current.Append(c);
                    }
                }
                else if (i >= n)
                {
                    done = true;
                }
                else
                {
                    switch (line[i])
                    {
                        case ' ' or '\n' or '\r' or '\t' or '\0':
                            done = true;
                            break;
                        case '"':
                            inDouble = true;
                            break;
                        case '\'':
                            inSingle = true;
                            break;
                        default:
                            current.Append(line[i]);
                            break;
                    }
                }

                if (i < n)
                {
                    i++;
                }
            }

            args.Add(current.ToString());
        }
    }

    /// <summary>Splits a CONFIG SET value of a multi-argument parameter on single spaces (empty text gives no argument).</summary>
    public static string[] SplitOnSpaces(string value) => value.Length == 0 ? [] : value.Split(' ');

    /// <summary>Quotes a value so that <see cref="Split"/> reads it back unchanged ("..." with escapes).</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        AppendQuoted(sb, value);
        return sb.ToString();
    }

    internal static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                default:
                    // Non-ASCII text stays as is so a UTF-8 file reads back to the same string.
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2"));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
