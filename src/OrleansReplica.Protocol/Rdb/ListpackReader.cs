using System.Buffers.Binary;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// Walks a listpack (total bytes u32, element count u16, entries, 0xFF), validating every entry's
/// encoding, bounds and back-length, and the header against what it finds.
/// </summary>
internal ref struct ListpackReader
{
    private const int HeaderSize = 6;
    private const int UnknownCount = ushort.MaxValue;

    private readonly ReadOnlySpan<byte> _lp;
    private readonly int _headerCount;
    private int _p;
    private int _seen;

    public ListpackReader(ReadOnlySpan<byte> listpack)
    {
        if (listpack.Length < HeaderSize + 1)
        {
            throw new RdbBlobException("listpack shorter than its header", 0);
        }
        var total = BinaryPrimitives.ReadUInt32LittleEndian(listpack);
        if (total != (uint)listpack.Length)
        {
            throw new RdbBlobException($"listpack header says {total} bytes but the blob has {listpack.Length}", 0);
        }
        if (listpack[^1] != 0xFF)
        {
            throw new RdbBlobException("listpack does not end with its terminator", listpack.Length - 1);
        }
        _lp = listpack;
        _headerCount = BinaryPrimitives.ReadUInt16LittleEndian(listpack[4..]);
        _p = HeaderSize;
    }

    /// <summary>Offset in the blob of the entry <see cref="Next"/> returns next.</summary>
    public readonly int Offset => _p;

    /// <summary>The element count of the header, or -1 when it says "unknown" (65535).</summary>
    public readonly int HeaderCount => _headerCount == UnknownCount ? -1 : _headerCount;

    /// <summary>The next entry: an integer (<paramref name="isInteger"/>) or a string; false at the terminator.</summary>
    public bool Next(out bool isInteger, out long integer, out ReadOnlySpan<byte> text)
    {
        var lp = _lp;
        var start = _p;
        var b = lp[start];
        isInteger = true;
        integer = 0;
        text = default;
        if (b == 0xFF)
        {
            if (start != lp.Length - 1)
            {
                throw new RdbBlobException("listpack terminator before the end of the blob", start);
            }
            if (_headerCount != UnknownCount && _seen != _headerCount)
            {
                throw new RdbBlobException($"listpack header counts {_headerCount} entries but holds {_seen}", 4);
            }
            return false;
        }

        // The terminator is the last byte: every entry must end before it.
        var limit = lp.Length - 1;
        long size;
        if ((b & 0x80) == 0)
        {
            integer = b & 0x7F;
            size = 1;
        }
        else if ((b & 0xC0) == 0x80)
        {
            var length = b & 0x3F;
            size = 1 + length;
            isInteger = false;
            CheckBounds(start, size, limit);
            text = lp.Slice(start + 1, length);
        }
        else if ((b & 0xE0) == 0xC0)
        {
            CheckBounds(start, 2, limit);
            var raw = ((b & 0x1F) << 8) | lp[start + 1];
            integer = raw >= 1 << 12 ? raw - (1 << 13) : raw;
            size = 2;
        }
        else if ((b & 0xF0) == 0xE0)
        {
            CheckBounds(start, 2, limit);
            var length = ((b & 0x0F) << 8) | lp[start + 1];
            size = 2 + length;
            isInteger = false;
            CheckBounds(start, size, limit);
            text = lp.Slice(start + 2, length);
        }
        else
        {
            switch (b)
            {
                case 0xF0:
                    CheckBounds(start, 5, limit);
                    var length = BinaryPrimitives.ReadUInt32LittleEndian(lp[(start + 1)..]);
                    size = 5L + length;
                    isInteger = false;
                    CheckBounds(start, size, limit);
                    text = lp.Slice(start + 5, (int)length);
                    break;
                case 0xF1:
                    CheckBounds(start, 3, limit);
                    integer = BinaryPrimitives.ReadInt16LittleEndian(lp[(start + 1)..]);
                    size = 3;
                    break;
                case 0xF2:
                    CheckBounds(start, 4, limit);
                    integer = (lp[start + 1] | (lp[start + 2] << 8) | (lp[start + 3] << 16)) << 8 >> 8;
                    size = 4;
                    break;
                case 0xF3:
                    CheckBounds(start, 5, limit);
                    integer = BinaryPrimitives.ReadInt32LittleEndian(lp[(start + 1)..]);
                    size = 5;
                    break;
                case 0xF4:
                    CheckBounds(start, 9, limit);
                    integer = BinaryPrimitives.ReadInt64LittleEndian(lp[(start + 1)..]);
                    size = 9;
                    break;
                default:
                    throw new RdbBlobException($"invalid listpack entry encoding 0x{b:x2}", start);
            }
        }

        // The back-length: the entry size in 7-bit groups, most significant first, all but the first flagged 0x80.
        var backlen = BacklenSize(size);
        CheckBounds(start, size + backlen, limit);
        var at = start + (int)size;
        for (var i = 0; i < backlen; i++)
        {
            var shift = 7 * (backlen - 1 - i);
            var expected = (byte)((size >> shift) & 0x7F);
            if (i > 0)
            {
                expected |= 0x80;
            }
            if (lp[at + i] != expected)
            {
                throw new RdbBlobException("listpack entry back-length does not match its size", at + i);
            }
        }
        _p = at + backlen;
        _seen++;
        return true;
    }

    private static int BacklenSize(long size) => size switch
    {
        <= 127 => 1,
        < 16383 => 2,
        < 2097151 => 3,
        < 268435455 => 4,
        _ => 5,
    };

    private static void CheckBounds(int start, long size, int limit)
    {
        if (start + size > limit)
        {
            throw new RdbBlobException("listpack entry runs past the end of the blob", start);
        }
    }
}
