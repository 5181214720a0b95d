namespace OrleansReplica.Protocol.Resp;

/// <summary>Finds the end of an inline (telnet) request line with Redis 7.0's rules.</summary>
internal static class InlineRequestParser
{
    /// <summary>Redis's PROTO_INLINE_MAX_SIZE: buffered bytes without a newline beyond this are an error.</summary>
    public const int MaxInlineWithoutNewline = 64 * 1024;

    /// <summary>
    /// Finds the line at offset 0. The line ends at LF; one CR right before it is not part of the line, so a bare LF also
    /// ends a request. A NUL byte before the LF hides it, as in Redis's C-string scan.
    /// </summary>
    public static RespParseStatus FindLine<TBytes>(ref TBytes bytes, bool moreFollows, out long lineLength, out long frameLength, out string? error)
        where TBytes : IRequestBytes, allows ref struct
    {
        lineLength = 0;
        frameLength = 0;
        error = null;
        long lf = bytes.FindTerminator(0, (byte)'\n');
        if (lf < 0)
        {
            if (!moreFollows && bytes.Length > MaxInlineWithoutNewline)
            {
                error = RespProtocolErrors.TooBigInlineRequest;
                return RespParseStatus.Error;
            }

            return RespParseStatus.Incomplete;
        }

        lineLength = lf > 0 && bytes.ByteAt(lf - 1) == (byte)'\r' ? lf - 1 : lf;
        frameLength = lf + 1;
        return RespParseStatus.Complete;
    }
}
