using System.Buffers;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Protocol.Resp;

/// <summary>Request bytes spread over the segments of a sequence; remembers the last position looked up because parsing moves forward.</summary>
internal struct SequenceRequestBytes : IRequestBytes
{
    private readonly ReadOnlySequence<byte> _bytes;
    private SequencePosition _cursor;
    private long _cursorOffset;

    public SequenceRequestBytes(ReadOnlySequence<byte> bytes)
    {
        _bytes = bytes;
        _cursor = bytes.Start;
        _cursorOffset = 0;
    }

    public readonly long Length => _bytes.Length;

    public byte ByteAt(long offset)
    {
        foreach (var segment in From(offset))
        {
            if (!segment.IsEmpty)
            {
                return segment.Span[0];
            }
        }

        throw new ArgumentOutOfRangeException(nameof(offset));
    }

    public long FindTerminator(long from, byte terminator)
    {
        long offset = from;
        foreach (var segment in From(from))
        {
            var span = segment.Span;
            int index = span.IndexOfAny(terminator, (byte)0);
            if (index >= 0)
            {
                return span[index] == terminator ? offset + index : -1;
            }

            offset += span.Length;
        }

        return -1;
    }

    public bool TryParseInteger(long start, long end, out long value)
    {
        long length = end - start;
        if (length > RedisNumber.MaxInt64Length)
        {
            value = 0;
            return false;
        }

        Span<byte> digits = stackalloc byte[RedisNumber.MaxInt64Length];
        digits = digits.Slice(0, (int)length);
        From(start).Slice(0, length).CopyTo(digits);
        return RedisNumber.TryParseInt64(digits, out value);
    }

    private ReadOnlySequence<byte> From(long offset)
    {
        if (offset < _cursorOffset)
        {
            _cursor = _bytes.Start;
            _cursorOffset = 0;
        }

        _cursor = _bytes.GetPosition(offset - _cursorOffset, _cursor);
        _cursorOffset = offset;
        return _bytes.Slice(_cursor);
    }
}
