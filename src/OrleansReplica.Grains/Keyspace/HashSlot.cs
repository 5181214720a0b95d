using System.Runtime.CompilerServices;

namespace OrleansReplica.Grains.Keyspace;

/// <summary>Redis Cluster's key-to-slot mapping: CRC16 (XMODEM) of the key, or of its hash tag, modulo 16384.</summary>
public static class HashSlot
{
    /// <summary>Number of hash slots.</summary>
    public const int Count = 16384;

    // CRC16-CCITT/XMODEM: polynomial 0x1021, initial value 0, no reflection, no final xor.
    private static readonly ushort[] Table = BuildTable();

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
        ushort[] table = Table;
        int crc = 0;
        foreach (byte b in data)
        {
            crc = ((crc << 8) ^ table[(crc >> 8) ^ b]) & 0xFFFF;
        }

        return (ushort)crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }

            table[i] = (ushort)crc;
        }

        return table;
    }
}
