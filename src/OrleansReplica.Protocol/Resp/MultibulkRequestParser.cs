namespace OrleansReplica.Protocol.Resp;

/// <summary>Parses a "*N\r\n$len\r\n..." request with Redis 7.0's validation rules and error messages.</summary>
internal static class MultibulkRequestParser
{
    /// <summary>Redis's limit on a header line that has no CR yet (PROTO_INLINE_MAX_SIZE).</summary>
    public const int MaxHeaderWithoutTerminator = 64 * 1024;

    private const int UnauthenticatedMaxCount = 10;
    private const int UnauthenticatedMaxBulk = 16 * 1024;

    /// <summary>
    /// Parses the request at offset 0 of <paramref name="bytes"/>, resuming from <paramref name="progress"/> when it belongs
    /// to the same request. <paramref name="moreFollows"/> says the bytes are only a prefix of what is buffered, so the
    /// length-based "too big" errors cannot be decided yet.
    /// </summary>
    public static RespParseStatus Parse<TBytes>(
        ref TBytes bytes,
        bool moreFollows,
        CommandArguments args,
        ref MultibulkProgress progress,
        in RespLimits limits,
        bool authenticated,
        out long frameLength,
        out string? error)
        where TBytes : IRequestBytes, allows ref struct
    {
        frameLength = 0;
        error = null;
        if (!CanResume(ref bytes, args, in progress))
        {
            progress = default;
            args.Clear();
            var header = ParseCount(ref bytes, moreFollows, authenticated, out long count, out long headerLength, out error);
            if (header != RespParseStatus.Complete)
            {
                return header;
            }

            if (count <= 0)
            {
                // "*0" and "*-1" are empty requests that are skipped.
                frameLength = headerLength;
                return RespParseStatus.Complete;
            }

            progress = new MultibulkProgress
            {
                Args = args,
                Count = count,
                HeaderLength = headerLength,
                Position = headerLength,
                BulkLength = -1,
            };
        }

        while (args.PendingCount < progress.Count)
        {
            if (progress.BulkLength < 0)
            {
                var header = ParseBulkHeader(ref bytes, moreFollows, progress.Position, in limits, authenticated, out long bodyStart, out long bulkLength, out error);
                if (header != RespParseStatus.Complete)
                {
                    if (header == RespParseStatus.Error)
                    {
                        progress = default;
                        args.Clear();
                    }

                    return header;
                }

                progress.Position = bodyStart;
                progress.BulkLength = bulkLength;
            }

            // Redis skips the two bytes after the body without checking that they are CRLF.
            long end = progress.Position + progress.BulkLength + 2;
            if (bytes.Length < end)
            {
                return RespParseStatus.Incomplete;
            }

            if (end > Array.MaxLength)
            {
                // Requests over 2 GiB cannot be sliced; the query buffer limit closes such connections first.
                progress = default;
                args.Clear();
                error = RespProtocolErrors.InvalidBulkLength;
                return RespParseStatus.Error;
            }

            args.Add((int)progress.Position, (int)progress.BulkLength);
            progress.Position = end;
            progress.BulkLength = -1;
        }

        frameLength = progress.Position;
        progress = default;
        return RespParseStatus.Complete;
    }

    /// <summary>
    /// The common case in one pass: a whole, well-formed request in <paramref name="bytes"/> ("*N\r\n", then "$len\r\n"
    /// and a body per argument, counts without sign or leading zero, within the limits). False for anything else, with
    /// nothing consumed: <see cref="Parse"/> then gives Redis's answer (incomplete, error, or its more lenient forms).
    /// </summary>
    public static bool TryParseWhole(ReadOnlySpan<byte> bytes, CommandArguments args, in RespLimits limits, bool authenticated, out int frameLength)
    {
        frameLength = 0;
        int position = 1;
        if (!TryReadLength(bytes, ref position, out int count) || count == 0 || (count > UnauthenticatedMaxCount && !authenticated))
        {
            return false;
        }

        long maxBulk = authenticated ? limits.ProtoMaxBulkLen : Math.Min(limits.ProtoMaxBulkLen, UnauthenticatedMaxBulk);
        args.Clear();
        for (int i = 0; i < count; i++)
        {
            if ((uint)position >= (uint)bytes.Length || bytes[position] != (byte)'$')
            {
                return false;
            }

            position++;
            if (!TryReadLength(bytes, ref position, out int length) || length > maxBulk || bytes.Length - position < length + 2)
            {
                return false;
            }

            args.Add(position, length);
            position += length + 2;
        }

        frameLength = position;
        return true;
    }

    /// <summary>Reads "digits\r\n" at <paramref name="position"/> (at most nine digits, the first not a zero unless alone).</summary>
    private static bool TryReadLength(ReadOnlySpan<byte> bytes, ref int position, out int value)
    {
        value = 0;
        int start = position;
        int at = start;
        while ((uint)at < (uint)bytes.Length && (uint)(bytes[at] - '0') <= 9 && at - start < 9)
        {
            value = value * 10 + (bytes[at] - '0');
            at++;
        }

        int digits = at - start;
        if (digits == 0 || (digits > 1 && bytes[start] == (byte)'0') || (uint)(at + 1) >= (uint)bytes.Length
            || bytes[at] != (byte)'\r' || bytes[at + 1] != (byte)'\n')
        {
            return false;
        }

        position = at + 2;
        return true;
    }

    private static bool CanResume<TBytes>(ref TBytes bytes, CommandArguments args, in MultibulkProgress progress)
        where TBytes : IRequestBytes, allows ref struct
    {
        if (!ReferenceEquals(progress.Args, args) || progress.Position > bytes.Length)
        {
            return false;
        }

        // Cheap guard against a caller presenting a different request: its header must be the same line.
        long cr = bytes.FindTerminator(0, (byte)'\r');
        return cr + 2 == progress.HeaderLength
            && bytes.TryParseInteger(1, cr, out long count)
            && count == progress.Count;
    }

    private static RespParseStatus ParseCount<TBytes>(ref TBytes bytes, bool moreFollows, bool authenticated, out long count, out long headerLength, out string? error)
        where TBytes : IRequestBytes, allows ref struct
    {
        count = 0;
        headerLength = 0;
        error = null;
        long cr = bytes.FindTerminator(0, (byte)'\r');
        if (cr < 0)
        {
            return TooBigOrIncomplete(bytes.Length, moreFollows, RespProtocolErrors.TooBigMultibulkCount, out error);
        }

        // The byte after CR must have arrived too; Redis does not check that it is LF.
        if (cr > bytes.Length - 2)
        {
            return RespParseStatus.Incomplete;
        }

        if (!bytes.TryParseInteger(1, cr, out count) || count > int.MaxValue)
        {
            error = RespProtocolErrors.InvalidMultibulkLength;
            return RespParseStatus.Error;
        }

        if (count > UnauthenticatedMaxCount && !authenticated)
        {
            error = RespProtocolErrors.UnauthenticatedMultibulkLength;
            return RespParseStatus.Error;
        }

        headerLength = cr + 2;
        return RespParseStatus.Complete;
    }

    private static RespParseStatus ParseBulkHeader<TBytes>(
        ref TBytes bytes,
        bool moreFollows,
        long start,
        in RespLimits limits,
        bool authenticated,
        out long bodyStart,
        out long bulkLength,
        out string? error)
        where TBytes : IRequestBytes, allows ref struct
    {
        bodyStart = 0;
        bulkLength = 0;
        error = null;
        long cr = bytes.FindTerminator(start, (byte)'\r');
        if (cr < 0)
        {
            return TooBigOrIncomplete(bytes.Length - start, moreFollows, RespProtocolErrors.TooBigBulkCount, out error);
        }

        if (cr > bytes.Length - 2)
        {
            return RespParseStatus.Incomplete;
        }

        byte prefix = bytes.ByteAt(start);
        if (prefix != (byte)'$')
        {
            error = RespProtocolErrors.ExpectedBulkPrefix(prefix);
            return RespParseStatus.Error;
        }

        if (!bytes.TryParseInteger(start + 1, cr, out bulkLength) || bulkLength < 0 || bulkLength > limits.ProtoMaxBulkLen)
        {
            error = RespProtocolErrors.InvalidBulkLength;
            return RespParseStatus.Error;
        }

        if (bulkLength > UnauthenticatedMaxBulk && !authenticated)
        {
            error = RespProtocolErrors.UnauthenticatedBulkLength;
            return RespParseStatus.Error;
        }

        bodyStart = cr + 2;
        return RespParseStatus.Complete;
    }

    private static RespParseStatus TooBigOrIncomplete(long pending, bool moreFollows, string message, out string? error)
    {
        if (!moreFollows && pending > MaxHeaderWithoutTerminator)
        {
            error = message;
            return RespParseStatus.Error;
        }

        error = null;
        return RespParseStatus.Incomplete;
    }
}
