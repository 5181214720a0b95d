using System.Text;
using OrleansReplica.Protocol.Resp;

namespace OrleansReplica.Protocol.Aof;

/// <summary>
/// The argument syntax of manifest lines (the same as redis.conf's): space-separated words,
/// "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes' with \' only.
/// </summary>
internal static class ManifestArguments
{
    /// <summary>Splits a line into its words (the splitter of inline requests, Redis's sdssplitargs); null when quotes are unbalanced or a closing quote is glued to more text.</summary>
    public static List<byte[]>? Split(ReadOnlySpan<byte> line)
    {
        var args = new CommandArguments();
        var frame = line.ToArray();
        if (!InlineArgumentSplitter.TrySplit(frame, frame.Length, args))
        {
            return null;
        }
        var words = new List<byte[]>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            words.Add(args[i].ToArray());
        }
        return words;
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

    /// <summary>C's isspace in the "C" locale.</summary>
    public static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsPrint(byte b) => b >= 0x20 && b < 0x7f;

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
