using System.Globalization;
using System.Text;

namespace OrleansReplica.Client;

/// <summary>Builds a <see cref="RespValue"/> from the bytes of one complete reply (as delimited by <see cref="RespReplyScanner"/>).</summary>
internal static class RespReplyParser
{
    public static RespValue Parse(ReadOnlySpan<byte> frame)
    {
        int position = 0;
        var value = ParseValue(frame, ref position);
        if (position != frame.Length)
        {
            throw new RespProtocolException("Trailing bytes after a reply");
        }

        return value;
    }

    public static long ParseLength(ReadOnlySpan<byte> header)
    {
        if (!long.TryParse(header, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) || value < -1)
        {
            throw new RespProtocolException($"Invalid length '{Encoding.ASCII.GetString(header)}'");
        }

        return value;
    }

    private static RespValue ParseValue(ReadOnlySpan<byte> frame, ref int position)
    {
        byte type = frame[position];
        int crlf = frame.Slice(position).IndexOf("\r\n"u8);
        if (crlf < 0)
        {
            throw new RespProtocolException("Incomplete reply");
        }

        var header = frame.Slice(position + 1, crlf - 1);
        position += crlf + 2;
        switch (type)
        {
            case (byte)'+':
                return new RespSimpleString(Encoding.UTF8.GetString(header));
            case (byte)'-':
                return new RespError(Encoding.UTF8.GetString(header));
            case (byte)':':
                return new RespInteger(long.Parse(header, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            case (byte)'_':
                return RespNull.Instance;
            case (byte)'#':
                return new RespBoolean(header.SequenceEqual("t"u8));
            case (byte)',':
                return ParseDouble(Encoding.ASCII.GetString(header));
            case (byte)'(':
                return new RespBigNumber(Encoding.ASCII.GetString(header));
            case (byte)'$':
                var bulk = ReadBlob(frame, header, ref position);
                return bulk.Length < 0 ? RespBulkString.Null : new RespBulkString(frame.Slice(bulk.Start, bulk.Length).ToArray());
            case (byte)'!':
                var blobError = ReadBlob(frame, header, ref position);
                return new RespError(Encoding.UTF8.GetString(frame.Slice(blobError.Start, blobError.Length)));
            case (byte)'=':
                var verbatim = ReadBlob(frame, header, ref position);
                var text = frame.Slice(verbatim.Start, verbatim.Length);
                if (text.Length < 4 || text[3] != (byte)':')
                {
                    throw new RespProtocolException("Verbatim string without a format");
                }

                return new RespVerbatim(Encoding.ASCII.GetString(text.Slice(0, 3)), Encoding.UTF8.GetString(text.Slice(4)));
            case (byte)'*':
                long arrayCount = ParseLength(header);
                return arrayCount < 0 ? RespArray.Null : new RespArray(ParseItems(frame, arrayCount, ref position));
            case (byte)'~':
                return new RespSet(ParseItems(frame, ParseLength(header), ref position));
            case (byte)'>':
                return new RespPush(ParseItems(frame, ParseLength(header), ref position));
            case (byte)'%':
                return ParseMap(frame, ParseLength(header), ref position);
            case (byte)'|':
                var attributes = ParseMap(frame, ParseLength(header), ref position);
                return ParseValue(frame, ref position) with { Attributes = attributes };
            default:
                throw new RespProtocolException($"Unexpected reply type byte 0x{type:x2}");
        }
    }

    private static (int Start, int Length) ReadBlob(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> header, ref int position)
    {
        long length = ParseLength(header);
        if (length < 0)
        {
            return (position, -1);
        }

        int start = position;
        position += (int)length + 2;
        if (position > frame.Length || frame[position - 2] != (byte)'\r' || frame[position - 1] != (byte)'\n')
        {
            throw new RespProtocolException("Bulk string not terminated by CRLF");
        }

        return (start, (int)length);
    }

    private static RespValue[] ParseItems(ReadOnlySpan<byte> frame, long count, ref int position)
    {
        var items = new RespValue[Math.Max(count, 0)];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = ParseValue(frame, ref position);
        }

        return items;
    }

    private static RespMap ParseMap(ReadOnlySpan<byte> frame, long pairs, ref int position)
    {
        var items = new KeyValuePair<RespValue, RespValue>[Math.Max(pairs, 0)];
        for (int i = 0; i < items.Length; i++)
        {
            var key = ParseValue(frame, ref position);
            var value = ParseValue(frame, ref position);
            items[i] = new(key, value);
        }

        return new RespMap(items);
    }

    private static RespDouble ParseDouble(string text)
    {
        double value = text switch
        {
            "inf" or "+inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            "nan" or "-nan" => double.NaN,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new RespDouble(value, text);
    }
}
