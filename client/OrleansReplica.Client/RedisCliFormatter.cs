using System.Globalization;
using System.Text;

namespace OrleansReplica.Client;

/// <summary>Renders replies the way redis-cli 7.0 prints them on a terminal: "(integer) 1", quoted bulk strings, numbered nested lists.</summary>
internal static class RedisCliFormatter
{
    /// <summary>Appends <paramref name="value"/> and a newline; <paramref name="prefix"/> indents the lines after the first.</summary>
    public static void Append(StringBuilder output, RespValue value, string prefix)
    {
        switch (value)
        {
            case RespError e:
                output.Append("(error) ").Append(e.Message).Append('\n');
                break;
            case RespSimpleString s:
                output.Append(s.Value).Append('\n');
                break;
            case RespInteger i:
                output.Append("(integer) ").Append(i.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                break;
            case RespDouble d:
                output.Append("(double) ").Append(d.Text).Append('\n');
                break;
            case RespBigNumber b:
                output.Append("(big number) ").Append(b.Value).Append('\n');
                break;
            case RespBoolean b:
                output.Append(b.Value ? "(true)\n" : "(false)\n");
                break;
            case RespVerbatim v:
                output.Append(v.Text).Append('\n');
                break;
            case RespBulkString { Value: { } bytes }:
                AppendQuoted(output, bytes);
                output.Append('\n');
                break;
            case RespBulkString or RespNull or RespArray { Items: null }:
                output.Append("(nil)\n");
                break;
            case RespArray a:
                AppendAggregate(output, a.Items!, ')', "(empty array)", prefix);
                break;
            case RespSet s:
                AppendAggregate(output, s.Items, '~', "(empty set)", prefix);
                break;
            case RespPush p:
                AppendAggregate(output, p.Items, ')', "(empty push)", prefix);
                break;
            case RespMap m:
                AppendMap(output, m, prefix);
                break;
            default:
                throw new InvalidOperationException($"Unknown reply type {value.GetType().Name}");
        }
    }

    private static void AppendAggregate(StringBuilder output, IReadOnlyList<RespValue> items, char separator, string empty, string prefix)
    {
        if (items.Count == 0)
        {
            output.Append(empty).Append('\n');
            return;
        }

        int width = Digits(items.Count);
        string childPrefix = prefix + new string(' ', width + 2);
        for (int i = 0; i < items.Count; i++)
        {
            // The first element continues the line on which the parent already printed its own index.
            AppendIndex(output, i == 0 ? string.Empty : prefix, i + 1, width, separator);
            Append(output, items[i], childPrefix);
        }
    }

    private static void AppendMap(StringBuilder output, RespMap map, string prefix)
    {
        if (map.Pairs.Count == 0)
        {
            output.Append("(empty hash)\n");
            return;
        }

        int width = Digits(map.Pairs.Count);
        string childPrefix = prefix + new string(' ', width + 2);
        for (int i = 0; i < map.Pairs.Count; i++)
        {
            AppendIndex(output, i == 0 ? string.Empty : prefix, i + 1, width, '#');
            Append(output, map.Pairs[i].Key, childPrefix);
            output.Length--;
            output.Append(" => ");

            // A value that spans several lines starts on its own line, indented like the key.
            var formatted = new StringBuilder();
            Append(formatted, map.Pairs[i].Value, childPrefix);
            int firstNewline = formatted.ToString().IndexOf('\n');
            if (firstNewline >= 0 && firstNewline < formatted.Length - 1)
            {
                output.Append('\n').Append(childPrefix);
            }

            output.Append(formatted);
        }
    }

    private static void AppendIndex(StringBuilder output, string prefix, int index, int width, char separator)
    {
        output.Append(prefix)
            .Append(index.ToString(CultureInfo.InvariantCulture).PadLeft(width))
            .Append(separator)
            .Append(' ');
    }

    private static int Digits(int count) => count.ToString(CultureInfo.InvariantCulture).Length;

    // Quoted like redis-cli's repr: printable ASCII as is, common escapes, other bytes as \xhh.
    private static void AppendQuoted(StringBuilder output, byte[] bytes)
    {
        output.Append('"');
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case (byte)'\\': output.Append("\\\\"); break;
                case (byte)'"': output.Append("\\\""); break;
                case (byte)'\n': output.Append("\\n"); break;
                case (byte)'\r': output.Append("\\r"); break;
                case (byte)'\t': output.Append("\\t"); break;
                case 0x07: output.Append("\\a"); break;
                case (byte)'\b': output.Append("\\b"); break;
                case >= 0x20 and <= 0x7e: output.Append((char)b); break;
                default: output.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture)); break;
            }
        }

        output.Append('"');
    }
}
