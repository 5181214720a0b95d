using System.Buffers.Binary;
using System.Buffers.Text;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>Builds a listpack in a reused buffer, choosing the smallest encoding per element as Redis does (canonical integer strings become integers).</summary>
internal sealed class ListpackBuilder
{
    private const int HeaderSize = 6;

    private byte[] _buffer = new byte[4096];
    private int _length;
    private int _count;

    public int Count => _count;

    public int Length => _length + 1;

    public void Reset()
    {
        _length = HeaderSize;
        _count = 0;
    }

    public void AppendInteger(long value)
    {
        Span<byte> entry = stackalloc byte[9];
        int size;
        if (value is >= 0 and <= 127)
        {
            entry[0] = (byte)value;
            size = 1;
        }
        else if (value is >= -4096 and <= 4095)
        {
            var raw = (int)(value < 0 ? value + (1 << 13) : value);
            entry[0] = (byte)(0xC0 | (raw >> 8));
            entry[1] = (byte)raw;
            size = 2;
        }
        else if (value is >= short.MinValue and <= short.MaxValue)
        {
            entry[0] = 0xF1;
            BinaryPrimitives.WriteInt16LittleEndian(entry[1..], (short)value);
            size = 3;
        }
        else if (value is >= -(1 << 23) and < 1 << 23)
        {
            entry[0] = 0xF2;
            entry[1] = (byte)value;
            entry[2] = (byte)(value >> 8);
            entry[3] = (byte)(value >> 16);
            size = 4;
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            entry[0] = 0xF3;
            BinaryPrimitives.WriteInt32LittleEndian(entry[1..], (int)value);
            size = 5;
        }
        else
        {
            entry[0] = 0xF4;
            BinaryPrimitives.WriteInt64LittleEndian(entry[1..], value);
            size = 9;
        }
        var target = Reserve(size + BacklenSize(size));
        entry[..size].CopyTo(target);
        AppendBacklen(size, target[size..]);
    }

    public void AppendString(ReadOnlySpan<byte> value)
    {
        if (value.Length is > 0 and <= 20 && RdbStringEncoding.TryParseCanonicalInteger(value, out var integer))
        {
            AppendInteger(integer);
            return;
        }
        int header;
        if (value.Length < 64)
        {
            header = 1;
        }
        else if (value.Length < 4096)
        {
            header = 2;
        }
        else
        {
            header = 5;
        }
        var size = header + value.Length;
        var target = Reserve(size + BacklenSize(size));
        switch (header)
        {
            case 1:
                target[0] = (byte)(0x80 | value.Length);
                break;
            case 2:
                target[0] = (byte)(0xE0 | (value.Length >> 8));
                target[1] = (byte)value.Length;
                break;
            default:
                target[0] = 0xF0;
                BinaryPrimitives.WriteUInt32LittleEndian(target[1..], (uint)value.Length);
                break;
        }
        value.CopyTo(target[header..]);
        AppendBacklen(size, target[size..]);
    }

    /// <summary>The finished listpack (header filled in, terminator appended); valid until the next change.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        // Reserve always leaves room for the terminator, which is not part of the appendable content.
        _buffer[_length] = 0xFF;
        var total = _length + 1;
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)total);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), (ushort)Math.Min(_count, ushort.MaxValue));
        return _buffer.AsSpan(0, total);
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size + 1 > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size + 1));
        }
        var span = _buffer.AsSpan(_length, size);
        _length += size;
        _count++;
        return span;
    }

    private static int BacklenSize(int size) => size switch
    {
        <= 127 => 1,
        < 16383 => 2,
        < 2097151 => 3,
        < 268435455 => 4,
        _ => 5,
    };

    private static void AppendBacklen(int size, Span<byte> target)
    {
        var bytes = BacklenSize(size);
        for (var i = 0; i < bytes; i++)
        {
            var b = (byte)((size >> (7 * (bytes - 1 - i))) & 0x7F);
            target[i] = i > 0 ? (byte)(b | 0x80) : b;
        }
    }

    internal static int FormatInteger(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}
