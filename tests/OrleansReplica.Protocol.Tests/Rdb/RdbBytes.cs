using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Protocol.Tests.Rdb;

/// <summary>
/// Builds RDB bytes by hand, field by field, following the published format (independently of
/// <see cref="RdbWriter"/>), including the legacy blob encodings: ziplist, listpack, intset, zipmap.
/// </summary>
internal sealed class RdbBytes
{
    private readonly List<byte> _bytes = [];

    public static RdbBytes Header(int version = 10) => new RdbBytes().Raw(Encoding.ASCII.GetBytes($"REDIS{version:D4}"));

    public int Count => _bytes.Count;

    public RdbBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public RdbBytes Length(ulong length)
    {
        if (length < 64)
        {
            return Raw((byte)length);
        }
        if (length < 16384)
        {
            return Raw((byte)(0x40 | (length >> 8)), (byte)length);
        }
        var wide = new byte[length <= uint.MaxValue ? 5 : 9];
        if (wide.Length == 5)
        {
            wide[0] = 0x80;
            BinaryPrimitives.WriteUInt32BigEndian(wide.AsSpan(1), (uint)length);
        }
        else
        {
            wide[0] = 0x81;
            BinaryPrimitives.WriteUInt64BigEndian(wide.AsSpan(1), length);
        }
        return Raw(wide);
    }

    /// <summary>A raw (length-prefixed) string, never integer-encoded or compressed.</summary>
    public RdbBytes String(string latin1) => String(Encoding.Latin1.GetBytes(latin1));

    public RdbBytes String(byte[] bytes) => Length((ulong)bytes.Length).Raw(bytes);

    public RdbBytes Aux(string name, string value) => Raw(RdbOpcode.Aux).String(name).String(value);

    public RdbBytes Key(byte type, string key) => Raw(type).String(key);

    public RdbBytes Double(double value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, BitConverter.DoubleToInt64Bits(value));
        return Raw(bytes);
    }

    /// <summary>The old textual score: a length byte then "%.17g" text (253 NaN, 254 +inf, 255 -inf).</summary>
    public RdbBytes TextScore(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return Raw(254);
        }
        if (double.IsNegativeInfinity(value))
        {
            return Raw(255);
        }
        var text = Encoding.ASCII.GetBytes(value.ToString("R", CultureInfo.InvariantCulture));
        return Raw((byte)text.Length).Raw(text);
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>EOF opcode and the CRC-64 (or zeros), returning the finished file.</summary>
    public byte[] End(bool checksum = true)
    {
        Raw(RdbOpcode.Eof);
        var crc = checksum ? Crc64.Update(0, _bytes.ToArray()) : 0;
        var tail = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(tail, crc);
        return Raw(tail).ToArray();
    }

    /// <summary>A ziplist of strings and longs, each in the smallest encoding.</summary>
    public static byte[] Ziplist(params object[] entries)
    {
        var body = new List<byte>();
        var previous = 0;
        var tail = 10;
        foreach (var entry in entries)
        {
            var start = body.Count;
            tail = 10 + start;
            if (previous < 254)
            {
                body.Add((byte)previous);
            }
            else
            {
                body.Add(254);
                body.AddRange(BitConverter.GetBytes((uint)previous));
            }
            if (entry is long value)
            {
                if (value is >= 0 and <= 12)
                {
                    body.Add((byte)(0xF1 + value));
                }
                else if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
                {
                    body.Add(0xFE);
                    body.Add((byte)(sbyte)value);
                }
                else if (value is >= short.MinValue and <= short.MaxValue)
                {
                    body.Add(0xC0);
                    body.AddRange(BitConverter.GetBytes((short)value));
                }
                else if (value is >= -(1 << 23) and < 1 << 23)
                {
                    body.Add(0xF0);
                    body.AddRange(BitConverter.GetBytes((int)value).AsSpan(0, 3).ToArray());
                }
                else if (value is >= int.MinValue and <= int.MaxValue)
                {
                    body.Add(0xD0);
                    body.AddRange(BitConverter.GetBytes((int)value));
                }
                else
                {
                    body.Add(0xE0);
                    body.AddRange(BitConverter.GetBytes(value));
                }
            }
            else
            {
                var text = Encoding.Latin1.GetBytes((string)entry);
                if (text.Length < 64)
                {
                    body.Add((byte)text.Length);
                }
                else if (text.Length < 16384)
                {
                    body.Add((byte)(0x40 | (text.Length >> 8)));
                    body.Add((byte)text.Length);
                }
                else
                {
                    body.Add(0x80);
                    var length = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(length, (uint)text.Length);
                    body.AddRange(length);
                }
                body.AddRange(text);
            }
            previous = body.Count - start;
        }
        var header = new byte[10];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(10 + body.Count + 1));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)tail);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)Math.Min(entries.Length, 65535));
        return [.. header, .. body, 0xFF];
    }

    /// <summary>A listpack of strings and longs, each in the smallest encoding.</summary>
    public static byte[] Listpack(params object[] entries)
    {
        var body = new List<byte>();
        foreach (var entry in entries)
        {
            var encoded = new List<byte>();
            if (entry is long value)
            {
                if (value is >= 0 and <= 127)
                {
                    encoded.Add((byte)value);
                }
                else if (value is >= -4096 and <= 4095)
                {
                    var raw = (int)(value & 0x1FFF);
                    encoded.Add((byte)(0xC0 | (raw >> 8)));
                    encoded.Add((byte)raw);
                }
                else if (value is >= short.MinValue and <= short.MaxValue)
                {
                    encoded.Add(0xF1);
                    encoded.AddRange(BitConverter.GetBytes((short)value));
                }
                else if (value is >= -(1 << 23) and < 1 << 23)
                {
                    encoded.Add(0xF2);
                    encoded.AddRange(BitConverter.GetBytes((int)value).AsSpan(0, 3).ToArray());
                }
                else if (value is >= int.MinValue and <= int.MaxValue)
                {
                    encoded.Add(0xF3);
                    encoded.AddRange(BitConverter.GetBytes((int)value));
                }
                else
                {
                    encoded.Add(0xF4);
                    encoded.AddRange(BitConverter.GetBytes(value));
                }
            }
            else
            {
                var text = Encoding.Latin1.GetBytes((string)entry);
                if (text.Length < 64)
                {
                    encoded.Add((byte)(0x80 | text.Length));
                }
                else if (text.Length < 4096)
                {
                    encoded.Add((byte)(0xE0 | (text.Length >> 8)));
                    encoded.Add((byte)text.Length);
                }
                else
                {
                    encoded.Add(0xF0);
                    encoded.AddRange(BitConverter.GetBytes(text.Length));
                }
                encoded.AddRange(text);
            }
            var size = encoded.Count;
            body.AddRange(encoded);
            // Back-length: 7 bits per byte, most significant first; every byte but the first has 0x80.
            var groups = new List<byte>();
            var remaining = size;
            do
            {
                groups.Insert(0, (byte)(remaining & 0x7F));
                remaining >>= 7;
            }
            while (remaining > 0);
            for (var i = 1; i < groups.Count; i++)
            {
                groups[i] |= 0x80;
            }
            body.AddRange(groups);
        }
        var header = new byte[6];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(6 + body.Count + 1));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), (ushort)Math.Min(entries.Length, 65535));
        return [.. header, .. body, 0xFF];
    }

    public static byte[] Intset(int width, params long[] values)
    {
        var bytes = new byte[8 + width * values.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)width);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var at = bytes.AsSpan(8 + i * width);
            switch (width)
            {
                case 2:
                    BinaryPrimitives.WriteInt16LittleEndian(at, (short)values[i]);
                    break;
                case 4:
                    BinaryPrimitives.WriteInt32LittleEndian(at, (int)values[i]);
                    break;
                default:
                    BinaryPrimitives.WriteInt64LittleEndian(at, values[i]);
                    break;
            }
        }
        return bytes;
    }

    /// <summary>A zipmap: count byte, then length/field, length/free/value (with <paramref name="free"/> spare bytes after each value), then 0xFF.</summary>
    public static byte[] Zipmap(int free, params (string Field, string Value)[] pairs)
    {
        var bytes = new List<byte> { (byte)Math.Min(pairs.Length, 254) };
        foreach (var (field, value) in pairs)
        {
            AddZipmapLength(bytes, field.Length);
            bytes.AddRange(Encoding.Latin1.GetBytes(field));
            AddZipmapLength(bytes, value.Length);
            bytes.Add((byte)free);
            bytes.AddRange(Encoding.Latin1.GetBytes(value));
            bytes.AddRange(new byte[free]);
        }
        bytes.Add(0xFF);
        return [.. bytes];
    }

    private static void AddZipmapLength(List<byte> bytes, int length)
    {
        if (length < 254)
        {
            bytes.Add((byte)length);
        }
        else
        {
            bytes.Add(254);
            bytes.AddRange(BitConverter.GetBytes((uint)length));
        }
    }

    /// <summary>Reads <paramref name="file"/> with a recording handler.</summary>
    public static (RecordingHandler Handler, RdbReadSummary Summary) Read(byte[] file, Stream? stream = null)
    {
        var handler = new RecordingHandler();
        var reader = new RdbReader(stream ?? new MemoryStream(file), "test.rdb");
        var summary = reader.Read(handler);
        return (handler, summary);
    }
}
