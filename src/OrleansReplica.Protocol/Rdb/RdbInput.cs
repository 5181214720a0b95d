using System.Buffers.Binary;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// The byte cursor under <see cref="RdbReader"/>: its own read buffer over the input stream, a running
/// CRC-64 of the bytes consumed, the RDB length and string encodings, and the context (phase, key,
/// type) that goes into every <see cref="RdbFormatException"/>. It never asks the stream for bytes
/// beyond the end of the RDB: on a stream of unknown length it asks for at most what is needed plus
/// <see cref="Reserve"/>, a lower bound of the bytes that must still follow in a well-formed file.
/// </summary>
internal sealed class RdbInput
{
    public const int BufferSize = 64 * 1024;

    // Strings longer than a .NET array can hold cannot be represented.
    public const long MaxStringLength = 0x7FFFFFC7;

    private const int LargeGrowthStep = 1 << 20;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly bool _readAhead;
    private readonly long _origin = -1;
    private int _pos;
    private int _end;
    private int _crcPos;
    private long _base;
    private long _readable;
    private ulong _crc;
    private byte[] _lzfInput = [];

    public RdbInput(Stream stream, string source, long length)
    {
        _stream = stream;
        Source = source;
        if (stream.CanSeek)
        {
            _origin = stream.Position;
        }
        if (length >= 0)
        {
            _readable = length;
            _readAhead = true;
        }
        else if (stream.CanSeek)
        {
            _readable = Math.Max(0, stream.Length - stream.Position);
            _readAhead = true;
        }
        else
        {
            _readable = long.MaxValue;
        }
    }

    public string Source { get; }

    /// <summary>Bytes consumed so far.</summary>
    public long Position => _base + _pos;

    /// <summary>Minimum number of bytes a well-formed RDB still holds after the bytes requested next.</summary>
    public int Reserve { get; set; }

    /// <summary>What the reader is doing, for error reports.</summary>
    public string Phase { get; set; } = "start";

    /// <summary>The value type being read, or -1, for error reports.</summary>
    public int ObjectType { get; set; } = -1;

    /// <summary>The key being read (its bytes live in the reader's key buffer), for error reports.</summary>
    public byte[]? KeyBuffer { get; set; }

    public int KeyLength { get; set; } = -1;

    /// <summary>CRC-64 of every byte consumed so far.</summary>
    public ulong Crc
    {
        get
        {
            FlushCrc();
            return _crc;
        }
    }

    public RdbFormatException Fail(string reason, long offset) => new(reason, Source, offset)
    {
        Phase = Phase,
        ObjectType = ObjectType,
        Key = KeyLength >= 0 && KeyBuffer is not null ? Printable(KeyBuffer.AsSpan(0, KeyLength)) : null,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if (_pos >= _end)
        {
            Fill(1);
        }
        return _buffer[_pos++];
    }

    /// <summary>The next <paramref name="count"/> bytes (at most <see cref="BufferSize"/>), valid until the next read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadSpan(int count)
    {
        if (_end - _pos < count)
        {
            Fill(count);
        }
        var span = _buffer.AsSpan(_pos, count);
        _pos += count;
        return span;
    }

    public uint ReadUInt32LittleEndian() => BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4));

    public ulong ReadUInt64LittleEndian() => BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8));

    /// <summary>An RDB length (6-, 14-, 32- or 64-bit form); a special string encoding here is an error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ulong ReadLength()
    {
        var start = Position;
        var first = ReadByte();
        switch (first >> 6)
        {
            case 0:
                return (ulong)(first & 0x3F);
            case 1:
                return (ulong)(((first & 0x3F) << 8) | ReadByte());
            case 2:
                if (first == 0x80)
                {
                    return BinaryPrimitives.ReadUInt32BigEndian(ReadSpan(4));
                }
                if (first == 0x81)
                {
                    return BinaryPrimitives.ReadUInt64BigEndian(ReadSpan(8));
                }
                throw Fail($"invalid length encoding 0x{first:x2}", start);
            default:
                throw Fail($"unexpected string encoding 0x{first:x2} where a length was expected", start);
        }
    }

    /// <summary>A length that must not exceed <paramref name="max"/>.</summary>
    public long ReadCount(long max, string what)
    {
        var start = Position;
        var value = ReadLength();
        if (value > (ulong)max)
        {
            throw Fail($"{what} {value} out of range", start);
        }
        return (long)value;
    }

    /// <summary>
    /// An RDB string (raw, integer-encoded as decimal text, or LZF). When <paramref name="stable"/> is
    /// false the result may point into the read buffer (valid until the next read); otherwise it is in
    /// <paramref name="scratch"/>, grown as needed. <paramref name="dataOffset"/> is the file offset of
    /// the first byte of the string's content when it is stored raw, else the offset of the string.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<byte> ReadString(ref byte[] scratch, bool stable, out long dataOffset, out bool raw)
    {
        var start = Position;
        var first = ReadByte();
        long length;
        switch (first >> 6)
        {
            case 0:
                length = first & 0x3F;
                break;
            case 1:
                length = ((first & 0x3F) << 8) | ReadByte();
                break;
            case 2:
                if (first == 0x80)
                {
                    length = BinaryPrimitives.ReadUInt32BigEndian(ReadSpan(4));
                }
                else if (first == 0x81)
                {
                    var wide = BinaryPrimitives.ReadUInt64BigEndian(ReadSpan(8));
                    if (wide > MaxStringLength)
                    {
                        throw Fail($"string length {wide} out of range", start);
                    }
                    length = (long)wide;
                }
                else
                {
                    throw Fail($"invalid length encoding 0x{first:x2}", start);
                }
                break;
            default:
                dataOffset = start;
                raw = false;
                return ReadEncodedString(first & 0x3F, start, ref scratch);
        }
        if (length > MaxStringLength)
        {
            throw Fail($"string length {length} out of range", start);
        }
        dataOffset = Position;
        raw = true;
        return ReadBytes((int)length, ref scratch, stable);
    }

    /// <summary><see cref="ReadString(ref byte[], bool, out long, out bool)"/> without the offsets.</summary>
    public ReadOnlySpan<byte> ReadString(ref byte[] scratch, bool stable) => ReadString(ref scratch, stable, out _, out _);

    /// <summary>Exactly <paramref name="count"/> bytes, in the read buffer when they fit and may be transient, else in <paramref name="scratch"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<byte> ReadBytes(int count, ref byte[] scratch, bool stable)
    {
        if (count <= BufferSize)
        {
            var span = ReadSpan(count);
            if (!stable)
            {
                return span;
            }
            if (scratch.Length < count)
            {
                scratch = new byte[Math.Max(count, Math.Min(scratch.Length * 2, BufferSize))];
            }
            span.CopyTo(scratch);
            return scratch.AsSpan(0, count);
        }
        return ReadLarge(count, ref scratch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> ReadEncodedString(int encoding, long start, ref byte[] scratch)
    {
        long value;
        switch (encoding)
        {
            case 0:
                value = (sbyte)ReadByte();
                break;
            case 1:
                value = BinaryPrimitives.ReadInt16LittleEndian(ReadSpan(2));
                break;
            case 2:
                value = BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4));
                break;
            case 3:
                return ReadLzfString(start, ref scratch);
            default:
                throw Fail($"unknown string encoding {encoding}", start);
        }
        if (scratch.Length < 20)
        {
            scratch = new byte[64];
        }
        Utf8Formatter.TryFormat(value, scratch, out var written);
        return scratch.AsSpan(0, written);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> ReadLzfString(long start, ref byte[] scratch)
    {
        var compressedLength = ReadLength();
        var length = ReadLength();
        if (compressedLength == 0 || compressedLength > MaxStringLength)
        {
            throw Fail($"invalid LZF compressed length {compressedLength}", start);
        }
        // A corrupt header must not make us allocate more than the compressed bytes can expand to.
        if (length == 0 || length > MaxStringLength || length > compressedLength * Lzf.MaxExpansionRatio)
        {
            throw Fail($"invalid LZF uncompressed length {length}", start);
        }
        var compressed = ReadBytes((int)compressedLength, ref _lzfInput, stable: false);
        if (scratch.Length < (int)length)
        {
            scratch = new byte[Math.Max((int)length, Math.Min(scratch.Length * 2, BufferSize))];
        }
        var produced = Lzf.Decompress(compressed, scratch.AsSpan(0, (int)length));
        if (produced != (int)length)
        {
            throw Fail("invalid LZF compressed string", start);
        }
        return scratch.AsSpan(0, produced);
    }

    // Strings larger than the read buffer: grow the destination as bytes actually arrive, so that a
    // corrupt length cannot allocate gigabytes before the end of the input is noticed.
    private ReadOnlySpan<byte> ReadLarge(int count, ref byte[] scratch)
    {
        var filled = 0;
        while (filled < count)
        {
            if (filled == scratch.Length)
            {
                var grown = new byte[(int)Math.Min(count, Math.Max((long)scratch.Length * 2, LargeGrowthStep))];
                scratch.AsSpan(0, filled).CopyTo(grown);
                scratch = grown;
            }
            var room = Math.Min(scratch.Length, count) - filled;
            if (_pos < _end)
            {
                var take = Math.Min(room, _end - _pos);
                _buffer.AsSpan(_pos, take).CopyTo(scratch.AsSpan(filled));
                _pos += take;
                filled += take;
                continue;
            }
            FlushCrc();
            _base += _pos;
            _pos = _end = _crcPos = 0;
            var want = (int)Math.Min(room, _readable);
            var read = want <= 0 ? 0 : _stream.Read(scratch, filled, want);
            if (read <= 0)
            {
                throw Fail("unexpected end of file", _base);
            }
            _crc = Crc64.Update(_crc, scratch.AsSpan(filled, read));
            _base += read;
            _readable -= read;
            filled += read;
        }
        return scratch.AsSpan(0, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FlushCrc()
    {
        if (_crcPos < _pos)
        {
            _crc = Crc64.Update(_crc, _buffer.AsSpan(_crcPos, _pos - _crcPos));
            _crcPos = _pos;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fill(int count)
    {
        FlushCrc();
        if (_pos > 0)
        {
            var kept = _end - _pos;
            _buffer.AsSpan(_pos, kept).CopyTo(_buffer);
            _base += _pos;
            _pos = 0;
            _crcPos = 0;
            _end = kept;
        }
        while (_end < count)
        {
            long want = _readAhead ? _buffer.Length - _end : (long)count - _end + Reserve;
            want = Math.Min(Math.Min(want, _buffer.Length - _end), _readable);
            var read = want <= 0 ? 0 : _stream.Read(_buffer, _end, (int)want);
            if (read <= 0)
            {
                throw Fail("unexpected end of file", _base + _end);
            }
            _end += read;
            _readable -= read;
        }
    }

    /// <summary>Leaves a seekable stream positioned right after the bytes consumed, whatever was buffered ahead.</summary>
    public void ReturnUnconsumed()
    {
        if (_origin >= 0 && _stream.CanSeek)
        {
            _stream.Position = _origin + Position;
        }
    }

    /// <summary>Bytes as text for error messages: printable ASCII kept, the rest as \xNN.</summary>
    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes[..Math.Min(bytes.Length, 256)])
        {
            if (b is >= 0x20 and < 0x7F && b != (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        if (bytes.Length > 256)
        {
            text.Append("...");
        }
        return text.ToString();
    }
}
