using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>Redis Cluster's key-to-slot mapping: CRC16 (XMODEM) of the key, or of its hash tag, modulo 16384.</summary>
public static class HashSlot
{
    /// <summary>Number of hash slots.</summary>
    public const int Count = 16384;

    // CRC16-CCITT/XMODEM: polynomial 0x1021, initial value 0, no reflection, no final xor. Table k (k = 0..7)
    // holds the CRC of a byte followed by k zero bytes, so eight bytes take eight independent lookups
    // instead of a chain of eight dependent ones (keys are hashed on every command).
    private const int Slices = 8;
    private static readonly ushort[] Tables = BuildTables();

    /// <summary>The slot of <paramref name="key"/>: keys sharing a non-empty "{tag}" share a slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(ReadOnlySpan<byte> key) => Crc16(HashedPart(key)) & (Count - 1);

    /// <summary>
    /// The bytes that decide the slot: between the first '{' and the first '}' after it when that
    /// is non-empty, otherwise the whole key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> HashedPart(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open < 0)
        {
            return key;
        }

        int length = key[(open + 1)..].IndexOf((byte)'}');
        return length > 0 ? key.Slice(open + 1, length) : key;
    }

    /// <summary>CRC16-XMODEM, the checksum Redis Cluster hashes keys with.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ref var table = ref MemoryMarshal.GetArrayDataReference(Tables);
        ref var bytes = ref MemoryMarshal.GetReference(data);
        uint crc = 0;
        var i = 0;
        for (; i + Slices <= data.Length; i += Slices)
        {
            // Only the first two bytes meet the 16-bit register; the other six are data alone.
            var head = crc ^ (uint)((Unsafe.Add(ref bytes, i) << 8) | Unsafe.Add(ref bytes, i + 1));
            crc = (uint)(Unsafe.Add(ref table, 7 * 256 + (int)(head >> 8))
                ^ Unsafe.Add(ref table, 6 * 256 + (int)(head & 0xFF))
                ^ Unsafe.Add(ref table, 5 * 256 + Unsafe.Add(ref bytes, i + 2))
                ^ Unsafe.Add(ref table, 4 * 256 + Unsafe.Add(ref bytes, i + 3))
                ^ Unsafe.Add(ref table, 3 * 256 + Unsafe.Add(ref bytes, i + 4))
                ^ Unsafe.Add(ref table, 2 * 256 + Unsafe.Add(ref bytes, i + 5))
                ^ Unsafe.Add(ref table, 256 + Unsafe.Add(ref bytes, i + 6))
                ^ Unsafe.Add(ref table, Unsafe.Add(ref bytes, i + 7)));
        }
        // The rest of a key in blocks of four and two bytes, the same way, then the last byte alone.
        if (i + 4 <= data.Length)
        {
            var head = crc ^ (uint)((Unsafe.Add(ref bytes, i) << 8) | Unsafe.Add(ref bytes, i + 1));
            crc = (uint)(Unsafe.Add(ref table, 3 * 256 + (int)(head >> 8))
                ^ Unsafe.Add(ref table, 2 * 256 + (int)(head & 0xFF))
                ^ Unsafe.Add(ref table, 256 + Unsafe.Add(ref bytes, i + 2))
                ^ Unsafe.Add(ref table, Unsafe.Add(ref bytes, i + 3)));
            i += 4;
        }
        if (i + 2 <= data.Length)
        {
            var head = crc ^ (uint)((Unsafe.Add(ref bytes, i) << 8) | Unsafe.Add(ref bytes, i + 1));
            crc = (uint)(Unsafe.Add(ref table, 256 + (int)(head >> 8)) ^ Unsafe.Add(ref table, (int)(head & 0xFF)));
            i += 2;
        }
        if (i < data.Length)
        {
            crc = ((crc << 8) ^ Unsafe.Add(ref table, (int)((crc >> 8) ^ Unsafe.Add(ref bytes, i)))) & 0xFFFF;
        }
        return (ushort)crc;
    }

    private static ushort[] BuildTables()
    {
        var tables = new ushort[Slices * 256];
        for (var i = 0; i < 256; i++)
        {
            var crc = i << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            tables[i] = (ushort)crc;
        }
        for (var k = 1; k < Slices; k++)
        {
            for (var i = 0; i < 256; i++)
            {
                // One more zero byte after the bytes of table k - 1.
                int previous = tables[(k - 1) * 256 + i];
                tables[k * 256 + i] = (ushort)((previous << 8) ^ tables[previous >> 8]);
            }
        }
        return tables;
    }
}
