namespace OrleansReplica.Protocol.Resp;

/// <summary>Splits an inline request line into arguments like Redis's sdssplitargs: blanks separate, double quotes take escapes, single quotes take \'.</summary>
internal static class InlineArgumentSplitter
{
    /// <summary>Fills <paramref name="args"/> from the first <paramref name="lineLength"/> bytes of <paramref name="frame"/>; false on unbalanced quotes.</summary>
    public static bool TrySplit(ReadOnlyMemory<byte> frame, int lineLength, CommandArguments args)
    {
        args.Clear();
        var line = frame.Span.Slice(0, lineLength);
        if (line.IndexOfAny((byte)'"', (byte)'\'') < 0)
        {
            SplitUnquoted(line, args);
            args.Complete(frame, frame, inline: true);
            return true;
        }

        byte[] unescaped = args.GetUnescapeBuffer(lineLength);
        if (!TrySplitQuoted(line, unescaped, args))
        {
            args.Clear();
            return false;
        }

        args.Complete(frame, unescaped, inline: true);
        return true;
    }

    private static void SplitUnquoted(ReadOnlySpan<byte> line, CommandArguments args)
    {
        int i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
            {
                i++;
            }

            if (i == line.Length)
            {
                return;
            }

            int start = i;
            while (i < line.Length && !EndsToken(line[i]))
            {
                i++;
            }

            args.Add(start, i - start);
        }
    }

    // The quoted form writes each argument into `output`; unescaping only shrinks, so the line length is enough room.
    private static bool TrySplitQuoted(ReadOnlySpan<byte> line, Span<byte> output, CommandArguments args)
    {
        int i = 0;
        int w = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
            {
                i++;
            }

            if (i == line.Length)
            {
                return true;
            }

            int start = w;
            bool inDouble = false;
            bool inSingle = false;
            bool done = false;
            while (!done)
            {
                bool atEnd = i == line.Length;
                byte c = atEnd ? (byte)0 : line[i];
                if (inDouble)
                {
                    if (c == (byte)'\\' && i + 3 < line.Length && line[i + 1] == (byte)'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
                    {
                        output[w++] = (byte)((HexValue(line[i + 2]) << 4) | HexValue(line[i + 3]));
                        i += 3;
                    }
                    else if (c == (byte)'\\' && i + 1 < line.Length)
                    {
                        i++;
                        output[w++] = Unescape(line[i]);
                    }
                    else if (c == (byte)'"')
                    {
                        // A closing quote must be followed by a blank or the end of the line.
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else if (atEnd)
                    {
                        return false;
                    }
                    else
                    {
                        output[w++] = c;
                    }
                }
                else if (inSingle)
                {
                    if (c == (byte)'\\' && i + 1 < line.Length && line[i + 1] == (byte)'\'')
                    {
                        i++;
                        output[w++] = (byte)'\'';
                    }
                    else if (c == (byte)'\'')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else if (atEnd)
                    {
                        return false;
                    }
                    else
                    {
                        output[w++] = c;
                    }
                }
                else if (atEnd || EndsToken(c))
                {
                    done = true;
                }
                else if (c == (byte)'"')
                {
                    inDouble = true;
                }
                else if (c == (byte)'\'')
                {
                    inSingle = true;
                }
                else
                {
                    output[w++] = c;
                }

                if (!atEnd)
                {
                    i++;
                }
            }

            args.Add(start, w - start);
        }
    }

    // C isspace: space, \t, \n, \v, \f, \r. Skipped between arguments.
    private static bool IsSpace(byte c) => c == (byte)' ' || (c >= (byte)'\t' && c <= (byte)'\r');

    // Inside an unquoted argument only these end it (\v and \f do not).
    private static bool EndsToken(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c <= (byte)'9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static byte Unescape(byte c) => c switch
    {
        (byte)'n' => (byte)'\n',
        (byte)'r' => (byte)'\r',
        (byte)'t' => (byte)'\t',
        (byte)'b' => (byte)'\b',
        (byte)'a' => 0x07,
        _ => c,
    };
}
