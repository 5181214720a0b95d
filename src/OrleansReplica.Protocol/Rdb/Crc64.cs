using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>The CRC-64 Redis uses for RDB checksums (Jones polynomial, reflected, initial value 0, no final xor).</summary>
public static class Crc64
{
    // The Jones polynomial 0xad93d23594c935a9, bit-reversed for the reflected (LSB-first) form.
    private const ulong ReflectedPolynomial = 0x95AC9329AC4BC9B5UL;

    // Eight 256-entry tables for slicing-by-8: computed once, never written afterwards.
    private static readonly ulong[] Tables = BuildTables();

    /// <summary>Continues <paramref name="crc"/> over <paramref name="data"/>; start with 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        ref var table = ref MemoryMarshal.GetArrayDataReference(Tables);
        var i = 0;
        var n = data.Length;
        while (n - i >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8));
            crc = Unsafe.Add(ref table, 7 * 256 + (int)(crc & 0xFF))
                ^ Unsafe.Add(ref table, 6 * 256 + (int)((crc >> 8) & 0xFF))
                ^ Unsafe.Add(ref table, 5 * 256 + (int)((crc >> 16) & 0xFF))
                ^ Unsafe.Add(ref table, 4 * 256 + (int)((crc >> 24) & 0xFF))
                ^ Unsafe.Add(ref table, 3 * 256 + (int)((crc >> 32) & 0xFF))
                ^ Unsafe.Add(ref table, 2 * 256 + (int)((crc >> 40) & 0xFF))
                ^ Unsafe.Add(ref table, 256 + (int)((crc >> 48) & 0xFF))
                ^ Unsafe.Add(ref table, (int)(crc >> 56));
            i += 8;
        }
        for (; i < n; i++)
        {
            crc = Unsafe.Add(ref table, (int)((crc ^ data[i]) & 0xFF)) ^ (crc >> 8);
        }
        return crc;
    }

    private static ulong[] BuildTables()
    {
        var tables = new ulong[8 * 256];
        for (var i = 0; i < 256; i++)
        {
            var c = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ ReflectedPolynomial : c >> 1;
            }
            tables[i] = c;
        }
        for (var k = 1; k < 8; k++)
        {
            for (var i = 0; i < 256; i++)
            {
                var previous = tables[(k - 1) * 256 + i];
                tables[k * 256 + i] = (previous >> 8) ^ tables[(int)(previous & 0xFF)];
            }
        }
        return tables;
    }
}
