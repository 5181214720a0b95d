using System.Buffers.Binary;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// Walks a ziplist (total bytes u32, tail offset u32, count u16, entries, 0xFF), the list encoding of
/// RDB versions before 10, validating each entry's previous-length, encoding and bounds, and the header.
/// </summary>
internal ref struct ZiplistReader
{
    private const int HeaderSize = 10;
    private const int UnknownCount = ushort.MaxValue;

    private readonly ReadOnlySpan<byte> _zl;
    private readonly uint _tail;
    private readonly int _headerCount;
    private int _p;
    private int _seen;
    private int _previousLength;
    private int _lastStart;

    public ZiplistReader(ReadOnlySpan<byte> ziplist)
    {
        if (ziplist.Length < HeaderSize + 1)
        {
            throw new RdbBlobException("ziplist shorter than its header", 0);
        }
        var total = BinaryPrimitives.ReadUInt32LittleEndian(ziplist);
        if (total != (uint)ziplist.Length)
        {
            throw new RdbBlobException($"ziplist header says {total} bytes but the blob has {ziplist.Length}", 0);
        }
        if (ziplist[^1] != 0xFF)
        {
            throw new RdbBlobException("ziplist does not end with its terminator", ziplist.Length - 1);
        }
        _zl = ziplist;
        _tail = BinaryPrimitives.ReadUInt32LittleEndian(ziplist[4..]);
        _headerCount = BinaryPrimitives.ReadUInt16LittleEndian(ziplist[8..]);
        _p = HeaderSize;
        _lastStart = HeaderSize;
    }

    /// <summary>Offset in the blob of the entry <see cref="Next"/> returns next.</summary>
    public readonly int Offset => _p;

    /// <summary>The next entry: an integer (<paramref name="isInteger"/>) or a string; false at the terminator.</summary>
    public bool Next(out bool isInteger, out long integer, out ReadOnlySpan<byte> text)
    {
        var zl = _zl;
        var start = _p;
        isInteger = true;
        integer = 0;
        text = default;
        if (zl[start] == 0xFF)
        {
            if (start != zl.Length - 1)
            {
                throw new RdbBlobException("ziplist terminator before the end of the blob", start);
            }
            if (_tail != (uint)_lastStart)
            {
                throw new RdbBlobException($"ziplist tail offset {_tail} does not point at its last entry", 4);
            }
            if (_headerCount != UnknownCount && _seen != _headerCount)
            {
                throw new RdbBlobException($"ziplist header counts {_headerCount} entries but holds {_seen}", 8);
            }
            return false;
        }

        var limit = zl.Length - 1;
        int previous;
        int q;
        if (zl[start] < 254)
        {
            previous = zl[start];
            q = start + 1;
        }
        else
        {
            Check(start, 5, limit);
            var wide = BinaryPrimitives.ReadUInt32LittleEndian(zl[(start + 1)..]);
            if (wide > int.MaxValue)
            {
                throw new RdbBlobException("ziplist previous-entry length out of range", start);
            }
            previous = (int)wide;
            q = start + 5;
        }
        if (previous != _previousLength)
        {
            throw new RdbBlobException("ziplist previous-entry length does not match the previous entry", start);
        }

        Check(q, 1, limit);
        var e = zl[q];
        long end;
        switch (e >> 6)
        {
            case 0:
                end = q + 1L + (e & 0x3F);
                Check(q, end - q, limit);
                isInteger = false;
                text = zl.Slice(q + 1, e & 0x3F);
                break;
            case 1:
                Check(q, 2, limit);
                var length14 = ((e & 0x3F) << 8) | zl[q + 1];
                end = q + 2L + length14;
                Check(q, end - q, limit);
                isInteger = false;
                text = zl.Slice(q + 2, length14);
                break;
            case 2:
                Check(q, 5, limit);
                var length32 = BinaryPrimitives.ReadUInt32BigEndian(zl[(q + 1)..]);
                end = q + 5L + length32;
                Check(q, end - q, limit);
                isInteger = false;
                text = zl.Slice(q + 5, (int)length32);
                break;
            default:
                switch (e)
                {
                    case 0xC0:
                        Check(q, 3, limit);
                        integer = BinaryPrimitives.ReadInt16LittleEndian(zl[(q + 1)..]);
                        end = q + 3;
                        break;
                    case 0xD0:
                        Check(q, 5, limit);
                        integer = BinaryPrimitives.ReadInt32LittleEndian(zl[(q + 1)..]);
                        end = q + 5;
                        break;
                    case 0xE0:
                        Check(q, 9, limit);
                        integer = BinaryPrimitives.ReadInt64LittleEndian(zl[(q + 1)..]);
                        end = q + 9;
                        break;
                    case 0xF0:
                        Check(q, 4, limit);
                        integer = (zl[q + 1] | (zl[q + 2] << 8) | (zl[q + 3] << 16)) << 8 >> 8;
                        end = q + 4;
                        break;
                    case 0xFE:
                        Check(q, 2, limit);
                        integer = (sbyte)zl[q + 1];
                        end = q + 2;
                        break;
                    case >= 0xF1 and <= 0xFD:
                        integer = (e & 0x0F) - 1;
                        end = q + 1;
                        break;
                    default:
                        throw new RdbBlobException($"invalid ziplist entry encoding 0x{e:x2}", q);
                }
                break;
        }

        _lastStart = start;
        _previousLength = (int)(end - start);
        _p = (int)end;
        _seen++;
        return true;
    }

    private static void Check(long start, long size, int limit)
    {
        if (start + size > limit)
        {
            throw new RdbBlobException("ziplist entry runs past the end of the blob", (int)start);
        }
    }
}
