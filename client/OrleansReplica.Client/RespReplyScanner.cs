namespace OrleansReplica.Client;

/// <summary>Finds where one complete reply ends in bytes arriving piecemeal, resuming where the previous attempt stopped.</summary>
internal sealed class RespReplyScanner
{
    // Elements still expected by each open aggregate; attributes do not count as an element of their parent.
    private readonly Stack<(long Remaining, bool IsAttribute)> _open = new();
    private int _position;

    /// <summary>Forgets a partly scanned reply.</summary>
    public void Reset()
    {
        _open.Clear();
        _position = 0;
    }

    /// <summary>True when <paramref name="data"/> (starting at the reply's first byte) holds a whole reply; then the scanner is ready for the next one.</summary>
    public bool TryScan(ReadOnlySpan<byte> data, out int frameLength)
    {
        frameLength = 0;
        while (true)
        {
            if (!TryReadLine(data, _position, out byte type, out ReadOnlySpan<byte> header, out int next))
            {
                return false;
            }

            bool completedElement;
            switch (type)
            {
                case (byte)'+' or (byte)'-' or (byte)':' or (byte)',' or (byte)'#' or (byte)'_' or (byte)'(':
                    completedElement = true;
                    break;
                case (byte)'$' or (byte)'=' or (byte)'!':
                    long length = RespReplyParser.ParseLength(header);
                    if (length >= 0)
                    {
                        if (data.Length - next < length + 2)
                        {
                            return false;
                        }

                        next += (int)length + 2;
                    }

                    completedElement = true;
                    break;
                case (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%' or (byte)'|':
                    long count = RespReplyParser.ParseLength(header);
                    if (type is (byte)'%' or (byte)'|')
                    {
                        count *= 2;
                    }

                    if (count > 0)
                    {
                        _open.Push((count, type == (byte)'|'));
                        completedElement = false;
                    }
                    else
                    {
                        completedElement = type != (byte)'|';
                    }

                    break;
                default:
                    throw new RespProtocolException($"Unexpected reply type byte 0x{type:x2} ('{(char)type}')");
            }

            _position = next;
            if (completedElement && CompleteElement())
            {
                frameLength = _position;
                Reset();
                return true;
            }
        }
    }

    // Counts one finished element against the open aggregates; true when the outermost reply is done.
    private bool CompleteElement()
    {
        while (_open.Count > 0)
        {
            var (remaining, isAttribute) = _open.Pop();
            if (remaining > 1)
            {
                _open.Push((remaining - 1, isAttribute));
                return false;
            }

            if (isAttribute)
            {
                // The attribute is done; the value it annotates is still to come.
                return false;
            }
        }

        return true;
    }

    private static bool TryReadLine(ReadOnlySpan<byte> data, int position, out byte type, out ReadOnlySpan<byte> header, out int next)
    {
        type = 0;
        header = default;
        next = 0;
        if (position >= data.Length)
        {
            return false;
        }

        int crlf = data.Slice(position).IndexOf("\r\n"u8);
        if (crlf < 0)
        {
            return false;
        }

        type = data[position];
        header = data.Slice(position + 1, crlf - 1);
        next = position + crlf + 2;
        return true;
    }
}
