using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Protocol.Resp;

/// <summary>Request bytes held in one contiguous span.</summary>
internal ref struct SpanRequestBytes : IRequestBytes
{
    private readonly ReadOnlySpan<byte> _bytes;

    public SpanRequestBytes(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public readonly long Length => _bytes.Length;

    public readonly byte ByteAt(long offset) => _bytes[(int)offset];

    public readonly long FindTerminator(long from, byte terminator)
    {
        int index = _bytes.Slice((int)from).IndexOfAny(terminator, (byte)0);
        if (index < 0)
        {
            return -1;
        }

        long at = from + index;
        return _bytes[(int)at] == terminator ? at : -1;
    }

    public readonly bool TryParseInteger(long start, long end, out long value)
    {
        long length = end - start;
        if (length > RedisNumber.MaxInt64Length)
        {
            value = 0;
            return false;
        }

        return RedisNumber.TryParseInt64(_bytes.Slice((int)start, (int)length), out value);
    }
}
