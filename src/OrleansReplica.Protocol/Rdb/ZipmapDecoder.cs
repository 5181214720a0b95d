using System.Buffers.Binary;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>Decodes a zipmap, the hash encoding of RDB versions before 4: count byte, then key/value pairs with lengths and free space, then 0xFF.</summary>
internal static class ZipmapDecoder
{
    // A count byte of 254 or more means "count unknown".
    private const int BigCount = 254;

    /// <summary>Adds every field/value pair to <paramref name="pairs"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> zipmap, List<(byte[] Field, byte[] Value)> pairs)
    {
        if (zipmap.Length < 2)
        {
            throw new RdbBlobException("zipmap shorter than its header", 0);
        }
        var declared = zipmap[0];
        var p = 1;
        var count = 0;
        while (true)
        {
            if (p >= zipmap.Length)
            {
                throw new RdbBlobException("zipmap has no terminator", zipmap.Length - 1);
            }
            if (zipmap[p] == 0xFF)
            {
                if (p != zipmap.Length - 1)
                {
                    throw new RdbBlobException("zipmap terminator before the end of the blob", p);
                }
                break;
            }
            var field = Slice(zipmap, ref p, withFree: false);
            var value = Slice(zipmap, ref p, withFree: true);
            pairs.Add((field.ToArray(), value.ToArray()));
            count++;
        }
        if (declared < BigCount && declared != count)
        {
            throw new RdbBlobException($"zipmap header counts {declared} pairs but holds {count}", 0);
        }
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> zipmap, ref int p, bool withFree)
    {
        var start = p;
        long length;
        if (zipmap[p] < 254)
        {
            length = zipmap[p];
            p += 1;
        }
        else if (zipmap[p] == 254)
        {
            if (p + 5 > zipmap.Length)
            {
                throw new RdbBlobException("zipmap entry runs past the end of the blob", start);
            }
            length = BinaryPrimitives.ReadUInt32LittleEndian(zipmap[(p + 1)..]);
            p += 5;
        }
        else
        {
            throw new RdbBlobException("zipmap entry without a value", start);
        }
        var free = 0;
        if (withFree)
        {
            if (p >= zipmap.Length)
            {
                throw new RdbBlobException("zipmap entry runs past the end of the blob", start);
            }
            free = zipmap[p++];
        }
        // The terminator must still follow.
        if (p + length + free >= zipmap.Length)
        {
            throw new RdbBlobException("zipmap entry runs past the end of the blob", start);
        }
        var slice = zipmap.Slice(p, (int)length);
        p += (int)length + free;
        return slice;
    }
}
