using System.Buffers.Binary;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>Decodes an intset (encoding u32 = 2/4/8 bytes per element, count u32, sorted little-endian integers).</summary>
internal static class IntsetDecoder
{
    private const int HeaderSize = 8;

    /// <summary>Validates the intset and returns its element count; elements are read with <see cref="Get"/>.</summary>
    public static int Validate(ReadOnlySpan<byte> intset, out int width)
    {
        if (intset.Length < HeaderSize)
        {
            throw new RdbBlobException("intset shorter than its header", 0);
        }
        var encoding = BinaryPrimitives.ReadUInt32LittleEndian(intset);
        if (encoding is not (2 or 4 or 8))
        {
            throw new RdbBlobException($"invalid intset encoding {encoding}", 0);
        }
        width = (int)encoding;
        var count = BinaryPrimitives.ReadUInt32LittleEndian(intset[4..]);
        if (HeaderSize + (long)count * width != intset.Length)
        {
            throw new RdbBlobException($"intset of {count} elements of {width} bytes does not match its size {intset.Length}", 4);
        }
        long previous = 0;
        for (var i = 0; i < (int)count; i++)
        {
            var value = Get(intset, width, i);
            if (i > 0 && value <= previous)
            {
                throw new RdbBlobException("intset elements not in strictly ascending order", HeaderSize + i * width);
            }
            previous = value;
        }
        return (int)count;
    }

    public static long Get(ReadOnlySpan<byte> intset, int width, int index)
    {
        var at = intset.Slice(HeaderSize + index * width, width);
        return width switch
        {
            2 => BinaryPrimitives.ReadInt16LittleEndian(at),
            4 => BinaryPrimitives.ReadInt32LittleEndian(at),
            _ => BinaryPrimitives.ReadInt64LittleEndian(at),
        };
    }
}
