using System.Buffers;

namespace OrleansReplica.Protocol.Resp;

/// <summary>Reads client requests (multibulk or inline) from a connection's receive buffer exactly as Redis 7.0 does; one instance per connection.</summary>
/// <remarks>
/// After <see cref="RespParseStatus.Incomplete"/> the next call must present the same request again from its first byte
/// (with more bytes appended) and the same <see cref="CommandArguments"/>: the reader resumes where it stopped instead of
/// re-parsing every argument. Closing a connection whose buffered input exceeds <see cref="RespLimits.QueryBufferLimit"/>
/// is the caller's job, since only it knows how much it buffers.
/// </remarks>
public sealed class RespRequestReader
{
    private MultibulkProgress _progress;

    public RespRequestReader()
    {
    }

    public RespLimits Limits { get; set; } = RespLimits.Default;

    /// <summary>False applies Redis's limits for unauthenticated clients (more than 10 arguments or a bulk over 16384 bytes is a protocol error).</summary>
    public bool Authenticated { get; set; } = true;

    /// <summary>Forgets a partly parsed request (for example when the connection's buffer was discarded).</summary>
    public void Reset() => _progress = default;

    /// <summary>
    /// Parses the next request from the start of <paramref name="buffer"/>. Complete: <paramref name="args"/> holds it and
    /// <paramref name="consumed"/> is the frame length (an empty line, "*0" or "*-1" give zero arguments). Incomplete:
    /// nothing consumed, wait for more bytes. Error: <paramref name="error"/> is Redis's message without "-ERR ".
    /// </summary>
    public RespParseStatus TryRead(ReadOnlyMemory<byte> buffer, CommandArguments args, out int consumed, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        consumed = 0;
        error = null;
        if (buffer.IsEmpty)
        {
            return RespParseStatus.Incomplete;
        }

        var bytes = new SpanRequestBytes(buffer.Span);
        long frameLength;
        RespParseStatus status;
        if (buffer.Span[0] == (byte)'*')
        {
            if (!ReferenceEquals(_progress.Args, args) && MultibulkRequestParser.TryParseWhole(buffer.Span, args, Limits, Authenticated, out int whole))
            {
                args.Complete(buffer.Slice(0, whole), buffer, inline: false);
                consumed = whole;
                return RespParseStatus.Complete;
            }

            status = MultibulkRequestParser.Parse(ref bytes, false, args, ref _progress, Limits, Authenticated, out frameLength, out error);
            if (status == RespParseStatus.Complete)
            {
                args.Complete(buffer.Slice(0, (int)frameLength), buffer, inline: false);
            }
        }
        else
        {
            _progress = default;
            status = InlineRequestParser.FindLine(ref bytes, false, out long lineLength, out frameLength, out error);
            if (status == RespParseStatus.Complete)
            {
                status = SplitInline(buffer.Slice(0, (int)frameLength), (int)lineLength, args, out error);
            }
        }

        if (status == RespParseStatus.Complete)
        {
            consumed = (int)frameLength;
        }

        return status;
    }

    /// <summary>
    /// As <see cref="TryRead(ReadOnlyMemory{byte}, CommandArguments, out int, out string?)"/> for a segmented buffer: a
    /// request inside the first segment is sliced from it, one spanning segments is copied into a reused contiguous buffer.
    /// </summary>
    public RespParseStatus TryRead(in ReadOnlySequence<byte> buffer, CommandArguments args, out long consumed, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (buffer.IsSingleSegment)
        {
            var status = TryRead(buffer.First, args, out int length, out error);
            consumed = length;
            return status;
        }

        consumed = 0;
        if (buffer.IsEmpty)
        {
            error = null;
            return RespParseStatus.Incomplete;
        }

        var first = buffer.First;
        var whole = new SequenceRequestBytes(buffer);
        bool multibulk = whole.ByteAt(0) == (byte)'*';
        RespParseStatus result = multibulk
            ? ReadSegmentedMultibulk(buffer, first, ref whole, args, out long frameLength, out error)
            : ReadSegmentedInline(buffer, first, ref whole, args, out frameLength, out error);
        if (result == RespParseStatus.Complete)
        {
            consumed = frameLength;
        }

        return result;
    }

    private RespParseStatus ReadSegmentedMultibulk(
        in ReadOnlySequence<byte> buffer,
        ReadOnlyMemory<byte> first,
        ref SequenceRequestBytes whole,
        CommandArguments args,
        out long frameLength,
        out string? error)
    {
        // Most requests of a pipeline lie inside one segment: try it alone first, zero-copy.
        bool progressInFirst = !ReferenceEquals(_progress.Args, args) || _progress.Position <= first.Length;
        if (!first.IsEmpty && progressInFirst)
        {
            var head = new SpanRequestBytes(first.Span);
            var status = MultibulkRequestParser.Parse(ref head, true, args, ref _progress, Limits, Authenticated, out frameLength, out error);
            if (status == RespParseStatus.Complete)
            {
                args.Complete(first.Slice(0, (int)frameLength), first, inline: false);
            }

            if (status != RespParseStatus.Incomplete)
            {
                return status;
            }
        }

        var result = MultibulkRequestParser.Parse(ref whole, false, args, ref _progress, Limits, Authenticated, out frameLength, out error);
        if (result == RespParseStatus.Complete)
        {
            var copy = CopyFrame(buffer, frameLength, args);
            args.Complete(copy, copy, inline: false);
        }

        return result;
    }

    private RespParseStatus ReadSegmentedInline(
        in ReadOnlySequence<byte> buffer,
        ReadOnlyMemory<byte> first,
        ref SequenceRequestBytes whole,
        CommandArguments args,
        out long frameLength,
        out string? error)
    {
        _progress = default;
        var head = new SpanRequestBytes(first.Span);
        var status = InlineRequestParser.FindLine(ref head, true, out long lineLength, out frameLength, out error);
        if (status == RespParseStatus.Complete)
        {
            return SplitInline(first.Slice(0, (int)frameLength), (int)lineLength, args, out error);
        }

        status = InlineRequestParser.FindLine(ref whole, false, out lineLength, out frameLength, out error);
        if (status != RespParseStatus.Complete)
        {
            return status;
        }

        if (frameLength > Array.MaxLength)
        {
            // Unreachable under the query buffer limit; a line this long cannot be held contiguously.
            error = RespProtocolErrors.TooBigInlineRequest;
            return RespParseStatus.Error;
        }

        return SplitInline(CopyFrame(buffer, frameLength, args), (int)lineLength, args, out error);
    }

    private static RespParseStatus SplitInline(ReadOnlyMemory<byte> frame, int lineLength, CommandArguments args, out string? error)
    {
        if (InlineArgumentSplitter.TrySplit(frame, lineLength, args))
        {
            error = null;
            return RespParseStatus.Complete;
        }

        error = RespProtocolErrors.UnbalancedQuotes;
        return RespParseStatus.Error;
    }

    private static ReadOnlyMemory<byte> CopyFrame(in ReadOnlySequence<byte> buffer, long frameLength, CommandArguments args)
    {
        int length = (int)frameLength;
        byte[] copy = args.GetFrameCopyBuffer(length);
        buffer.Slice(0, length).CopyTo(copy);
        return copy.AsMemory(0, length);
    }
}
