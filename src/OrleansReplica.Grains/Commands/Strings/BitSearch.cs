using System.Numerics;
using System.Runtime.InteropServices;

namespace OrleansReplica.Grains.Commands.Strings;

/// <summary>Range arithmetic shared by BITCOUNT and BITPOS (negative indexes count from the end).</summary>
internal static class BitRange
{
    /// <summary>Converts negative indexes and clamps both ends into [0, total - 1] (end may become -1 when total is 0).</summary>
    public static void Normalize(ref long start, ref long end, long total)
    {
        if (start < 0)
        {
            start = Math.Max(total + start, 0);
        }
        if (end < 0)
        {
            end = Math.Max(total + end, 0);
        }
        if (end >= total)
        {
            end = total - 1;
        }
    }
}

/// <summary>Counting and finding bits in a bitmap; bit 0 is the most significant bit of byte 0, as Redis numbers them.</summary>
internal static class BitSearch
{
    /// <summary>Number of set bits in the inclusive bit range [<paramref name="firstBit"/>, <paramref name="lastBit"/>].</summary>
    public static long CountOnes(ReadOnlySpan<byte> bytes, long firstBit, long lastBit)
    {
        if (firstBit > lastBit)
        {
            return 0;
        }
        var firstByte = (int)(firstBit >> 3);
        var lastByte = (int)(lastBit >> 3);
        // Mask off the bits of the edge bytes that lie outside the range.
        var headMask = 0xFF >> (int)(firstBit & 7);
        var tailMask = (0xFF << (7 - (int)(lastBit & 7))) & 0xFF;
        if (firstByte == lastByte)
        {
            return BitOperations.PopCount((uint)(bytes[firstByte] & headMask & tailMask));
        }
        long count = BitOperations.PopCount((uint)(bytes[firstByte] & headMask))
            + BitOperations.PopCount((uint)(bytes[lastByte] & tailMask));
        return count + PopCount(bytes[(firstByte + 1)..lastByte]);
    }

    /// <summary>Position of the first bit equal to <paramref name="one"/> in the inclusive range, or -1.</summary>
    public static long FindFirst(ReadOnlySpan<byte> bytes, bool one, long firstBit, long lastBit)
    {
        if (firstBit > lastBit)
        {
            return -1;
        }
        var firstByte = (int)(firstBit >> 3);
        var lastByte = (int)(lastBit >> 3);
        // A byte is skipped while it holds nothing but the other bit value.
        var skip = one ? (byte)0x00 : (byte)0xFF;
        var headMask = 0xFF >> (int)(firstBit & 7);
        var tailMask = (0xFF << (7 - (int)(lastBit & 7))) & 0xFF;
        for (var i = firstByte; i <= lastByte; i++)
        {
            var mask = 0xFF;
            if (i == firstByte)
            {
                mask &= headMask;
            }
            if (i == lastByte)
            {
                mask &= tailMask;
            }
            if (mask == 0xFF && i != firstByte && i != lastByte)
            {
                // Fast path over the whole middle of the range.
                var middle = bytes[i..lastByte];
                var found = middle.IndexOfAnyExcept(skip);
                if (found < 0)
                {
                    i = lastByte - 1;
                    continue;
                }
                i += found;
            }
            // Bits to find become ones; bits outside the range are cleared.
            var candidates = (one ? bytes[i] : ~bytes[i]) & mask;
            if (candidates != 0)
            {
                return ((long)i << 3) + BitOperations.LeadingZeroCount((uint)candidates) - 24;
            }
        }
        return -1;
    }

    private static long PopCount(ReadOnlySpan<byte> bytes)
    {
        long count = 0;
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var word in words)
        {
            count += BitOperations.PopCount(word);
        }
        foreach (var b in bytes[(words.Length * sizeof(ulong))..])
        {
            count += BitOperations.PopCount((uint)b);
        }
        return count;
    }
}
