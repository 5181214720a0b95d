using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// Writes an RDB (version 10, as Redis 7.0 does) into an <see cref="IBufferWriter{T}"/>, keeping a
/// running CRC-64 of everything written when checksums are on. Strings are integer-encoded,
/// LZF-compressed or raw by the same rules as Redis; collections use the plain encodings every Redis
/// since 2.x loads.
/// </summary>
public sealed class RdbWriter
{
    public const int Version = 10;

    // Values are copied out in slices of this size so a huge value never asks the output for one huge span.
    private const int ChunkSize = 64 * 1024;

    // Redis compresses only strings longer than this, and only when it saves at least 4 bytes.
    private const int CompressionThreshold = 20;
    private const int MinimumCompressionSaving = 4;

    // Stream nodes are cut at Redis's default stream-node-max-entries / stream-node-max-bytes.
    private const int StreamNodeMaxEntries = 100;
    private const int StreamNodeMaxBytes = 4096;

    private readonly IBufferWriter<byte> _output;
    private readonly RdbWriterOptions _options;
    private ulong _crc;
    private byte[] _compressed = [];
    private ListpackBuilder? _listpack;
    private long _pendingElements;
    private byte _pendingType;

    public RdbWriter(IBufferWriter<byte> output, RdbWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        _output = output;
        _options = options;
    }

    public long BytesWritten { get; private set; }

    /// <summary>CRC-64 of everything written so far; 0 when checksums are off (nothing needs it then).</summary>
    public ulong Checksum => _crc;

    /// <summary>"REDIS0010".</summary>
    public void WriteHeader()
    {
        CheckNoPendingElements();
        WriteRaw("REDIS0010"u8);
    }

    public void WriteAux(string name, ReadOnlySpan<byte> value)
    {
        CheckNoPendingElements();
        WriteByte(RdbOpcode.Aux);
        WriteText(name);
        WriteStringValue(value);
    }

    /// <summary>An integer aux field, written as Redis does: its decimal text, integer-encoded when it fits 32 bits.</summary>
    public void WriteAux(string name, long value)
    {
        CheckNoPendingElements();
        WriteByte(RdbOpcode.Aux);
        WriteText(name);
        Span<byte> digits = stackalloc byte[20];
        WriteStringValue(digits[..ListpackBuilder.FormatInteger(value, digits)]);
    }

    public void WriteSelectDb(int db)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(db);
        CheckNoPendingElements();
        WriteByte(RdbOpcode.SelectDb);
        WriteLength((ulong)db);
    }

    public void WriteResizeDb(long keys, long expires)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(expires);
        CheckNoPendingElements();
        WriteByte(RdbOpcode.ResizeDb);
        WriteLength((ulong)keys);
        WriteLength((ulong)expires);
    }

    /// <summary>The expire time (Unix milliseconds) of the key written next.</summary>
    public void WriteExpireMs(long unixTimeMs)
    {
        CheckNoPendingElements();
        var span = _output.GetSpan(9);
        span[0] = RdbOpcode.ExpireTimeMs;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], unixTimeMs);
        Commit(span, 9);
    }

    /// <summary>The LRU idle time of the key written next.</summary>
    public void WriteIdle(long seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        CheckNoPendingElements();
        WriteByte(RdbOpcode.Idle);
        WriteLength((ulong)seconds);
    }

    /// <summary>The LFU frequency counter of the key written next.</summary>
    public void WriteFrequency(byte frequency)
    {
        CheckNoPendingElements();
        WriteByte(RdbOpcode.Freq);
        WriteByte(frequency);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        BeginKey(RdbObjectType.String, key);
        WriteStringValue(value);
    }

    /// <summary>A string holding an integer (Redis's "int" encoding): integer-encoded when it fits 32 bits, else its decimal text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteString(ReadOnlySpan<byte> key, long value)
    {
        BeginKey(RdbObjectType.String, key);
        if (!TryWriteEncodedInteger(value))
        {
            Span<byte> digits = stackalloc byte[20];
            var length = ListpackBuilder.FormatInteger(value, digits);
            WriteLength((ulong)length);
            WriteRaw(digits[..length]);
        }
    }

    /// <summary>A function library (FUNCTION2 opcode) with its full code.</summary>
    public void WriteFunction(ReadOnlySpan<byte> libraryCode)
    {
        CheckNoPendingElements();
        WriteByte(RdbOpcode.Function2);
        WriteStringValue(libraryCode);
    }

    /// <summary>Starts a list of <paramref name="count"/> items; follow with exactly that many <see cref="WriteListItem"/>.</summary>
    public void BeginList(ReadOnlySpan<byte> key, long count) => BeginCollection(RdbObjectType.List, key, count);

    public void WriteListItem(ReadOnlySpan<byte> item) => WriteElement(RdbObjectType.List, item);

    /// <summary>Starts a set of <paramref name="count"/> members; follow with exactly that many <see cref="WriteSetMember"/>.</summary>
    public void BeginSet(ReadOnlySpan<byte> key, long count) => BeginCollection(RdbObjectType.Set, key, count);

    public void WriteSetMember(ReadOnlySpan<byte> member) => WriteElement(RdbObjectType.Set, member);

    /// <summary>Starts a sorted set of <paramref name="count"/> members (binary scores); follow with exactly that many <see cref="WriteSortedSetMember"/>.</summary>
    public void BeginSortedSet(ReadOnlySpan<byte> key, long count) => BeginCollection(RdbObjectType.ZSet2, key, count);

    public void WriteSortedSetMember(ReadOnlySpan<byte> member, double score)
    {
        if (double.IsNaN(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), "A sorted set score cannot be NaN.");
        }
        WriteElement(RdbObjectType.ZSet2, member);
        var span = _output.GetSpan(8);
        BinaryPrimitives.WriteInt64LittleEndian(span, BitConverter.DoubleToInt64Bits(score));
        Commit(span, 8);
    }

    /// <summary>Starts a hash of <paramref name="count"/> fields; follow with exactly that many <see cref="WriteHashField"/>.</summary>
    public void BeginHash(ReadOnlySpan<byte> key, long count) => BeginCollection(RdbObjectType.Hash, key, count);

    public void WriteHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        WriteElement(RdbObjectType.Hash, field);
        WriteStringValue(value);
    }

    /// <summary>A stream (stream-v2 format of RDB 10): entries in listpack nodes, counters, consumer groups.</summary>
    public void WriteStream(ReadOnlySpan<byte> key, RdbStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        BeginKey(RdbObjectType.StreamListpacks2, key);
        WriteStreamNodes(stream.Entries);
        WriteLength(stream.Length);
        WriteLength(stream.LastId.Ms);
        WriteLength(stream.LastId.Seq);
        WriteLength(stream.FirstId.Ms);
        WriteLength(stream.FirstId.Seq);
        WriteLength(stream.MaxDeletedEntryId.Ms);
        WriteLength(stream.MaxDeletedEntryId.Seq);
        WriteLength(stream.EntriesAdded);
        WriteLength((ulong)stream.Groups.Count);
        Span<byte> id = stackalloc byte[16];
        foreach (var group in stream.Groups)
        {
            WriteStringValue(group.Name);
            WriteLength(group.LastDeliveredId.Ms);
            WriteLength(group.LastDeliveredId.Seq);
            WriteLength(unchecked((ulong)group.EntriesRead));
            WriteLength((ulong)group.Pending.Count);
            foreach (var pending in group.Pending)
            {
                pending.Id.WriteBigEndian(id);
                WriteRaw(id);
                var time = _output.GetSpan(8);
                BinaryPrimitives.WriteInt64LittleEndian(time, pending.DeliveryTimeMs);
                Commit(time, 8);
                WriteLength(pending.DeliveryCount);
            }
            WriteLength((ulong)group.Consumers.Count);
            foreach (var consumer in group.Consumers)
            {
                WriteStringValue(consumer.Name);
                var time = _output.GetSpan(8);
                BinaryPrimitives.WriteInt64LittleEndian(time, consumer.SeenTimeMs);
                Commit(time, 8);
                WriteLength((ulong)consumer.Pending.Count);
                foreach (var owned in consumer.Pending)
                {
                    owned.WriteBigEndian(id);
                    WriteRaw(id);
                }
            }
        }
    }

    /// <summary>The EOF opcode and the 8-byte checksum (zeros when checksums are off).</summary>
    public void WriteEnd()
    {
        CheckNoPendingElements();
        WriteByte(RdbOpcode.Eof);
        var checksum = _options.Checksum ? _crc : 0;
        var span = _output.GetSpan(8);
        BinaryPrimitives.WriteUInt64LittleEndian(span, checksum);
        Commit(span, 8);
    }

    private void BeginKey(byte type, ReadOnlySpan<byte> key)
    {
        CheckNoPendingElements();
        WriteByte(type);
        WriteStringValue(key);
    }

    private void BeginCollection(byte type, ReadOnlySpan<byte> key, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        BeginKey(type, key);
        WriteLength((ulong)count);
        _pendingElements = count;
        _pendingType = type;
    }

    private void WriteElement(byte type, ReadOnlySpan<byte> element)
    {
        if (_pendingElements == 0 || _pendingType != type)
        {
            throw new InvalidOperationException($"No {RdbObjectType.Name(type)} element is expected here.");
        }
        _pendingElements--;
        WriteStringValue(element);
    }

    private void CheckNoPendingElements()
    {
        if (_pendingElements != 0)
        {
            throw new InvalidOperationException($"{_pendingElements} more element(s) of the {RdbObjectType.Name(_pendingType)} are expected first.");
        }
    }

    private void WriteStreamNodes(IReadOnlyList<RdbStreamEntry> entries)
    {
        var nodes = 0;
        for (var i = 0; i < entries.Count; i = NodeEnd(entries, i))
        {
            nodes++;
        }
        WriteLength((ulong)nodes);
        var builder = _listpack ??= new ListpackBuilder();
        Span<byte> masterKey = stackalloc byte[16];
        for (var start = 0; start < entries.Count;)
        {
            var end = NodeEnd(entries, start);
            var master = entries[start];
            builder.Reset();
            builder.AppendInteger(end - start);
            builder.AppendInteger(0);
            builder.AppendInteger(master.Fields.Count);
            foreach (var (field, _) in master.Fields)
            {
                builder.AppendString(field);
            }
            builder.AppendInteger(0);
            for (var i = start; i < end; i++)
            {
                var entry = entries[i];
                var same = SameFields(master, entry);
                builder.AppendInteger(same ? 2 : 0);
                builder.AppendInteger(unchecked((long)(entry.Id.Ms - master.Id.Ms)));
                builder.AppendInteger(unchecked((long)(entry.Id.Seq - master.Id.Seq)));
                if (!same)
                {
                    builder.AppendInteger(entry.Fields.Count);
                }
                foreach (var (field, value) in entry.Fields)
                {
                    if (!same)
                    {
                        builder.AppendString(field);
                    }
                    builder.AppendString(value);
                }
                builder.AppendInteger(same ? entry.Fields.Count + 3 : 2 * entry.Fields.Count + 4);
            }
            master.Id.WriteBigEndian(masterKey);
            WriteStringValue(masterKey);
            WriteStringValue(builder.Finish());
            start = end;
        }
    }

    // A node holds up to 100 entries and stops growing once its fields pass 4 KB.
    private static int NodeEnd(IReadOnlyList<RdbStreamEntry> entries, int start)
    {
        var end = start;
        long bytes = 0;
        while (end < entries.Count && end - start < StreamNodeMaxEntries && bytes < StreamNodeMaxBytes)
        {
            foreach (var (field, value) in entries[end].Fields)
            {
                bytes += field.Length + value.Length + 2;
            }
            end++;
        }
        return end;
    }

    private static bool SameFields(RdbStreamEntry master, RdbStreamEntry entry)
    {
        if (master.Fields.Count != entry.Fields.Count)
        {
            return false;
        }
        for (var i = 0; i < entry.Fields.Count; i++)
        {
            if (!master.Fields[i].Field.AsSpan().SequenceEqual(entry.Fields[i].Field))
            {
                return false;
            }
        }
        return true;
    }

    private void WriteText(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(text, bytes);
        WriteStringValue(bytes);
    }

    /// <summary>A string as Redis saves it: integer-encoded, else LZF when it is long enough and pays off, else raw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteStringValue(ReadOnlySpan<byte> value)
    {
        if (value.Length <= 11 && RdbStringEncoding.TryParseCanonicalInteger(value, out var integer) && TryWriteEncodedInteger(integer))
        {
            return;
        }
        if (_options.Compression && value.Length > CompressionThreshold && TryWriteCompressed(value))
        {
            return;
        }
        WriteLength((ulong)value.Length);
        WriteRaw(value);
    }

    private bool TryWriteEncodedInteger(long value)
    {
        Span<byte> span;
        if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            span = _output.GetSpan(2);
            span[0] = 0xC0;
            span[1] = (byte)value;
            Commit(span, 2);
        }
        else if (value is >= short.MinValue and <= short.MaxValue)
        {
            span = _output.GetSpan(3);
            span[0] = 0xC1;
            BinaryPrimitives.WriteInt16LittleEndian(span[1..], (short)value);
            Commit(span, 3);
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            span = _output.GetSpan(5);
            span[0] = 0xC2;
            BinaryPrimitives.WriteInt32LittleEndian(span[1..], (int)value);
            Commit(span, 5);
        }
        else
        {
            return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryWriteCompressed(ReadOnlySpan<byte> value)
    {
        var limit = value.Length - MinimumCompressionSaving;
        if (_compressed.Length < limit)
        {
            _compressed = new byte[Math.Max(limit, Math.Min(_compressed.Length * 2, Array.MaxLength))];
        }
        var compressed = Lzf.Compress(value, _compressed.AsSpan(0, limit));
        if (compressed == 0)
        {
            return false;
        }
        WriteByte(0xC3);
        WriteLength((ulong)compressed);
        WriteLength((ulong)value.Length);
        WriteRaw(_compressed.AsSpan(0, compressed));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteLength(ulong length)
    {
        Span<byte> span;
        if (length < 1 << 6)
        {
            span = _output.GetSpan(1);
            span[0] = (byte)length;
            Commit(span, 1);
        }
        else if (length < 1 << 14)
        {
            span = _output.GetSpan(2);
            span[0] = (byte)(0x40 | (length >> 8));
            span[1] = (byte)length;
            Commit(span, 2);
        }
        else if (length <= uint.MaxValue)
        {
            span = _output.GetSpan(5);
            span[0] = 0x80;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            Commit(span, 5);
        }
        else
        {
            span = _output.GetSpan(9);
            span[0] = 0x81;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], length);
            Commit(span, 9);
        }
    }

    private void WriteByte(byte value)
    {
        var span = _output.GetSpan(1);
        span[0] = value;
        Commit(span, 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteRaw(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var span = _output.GetSpan(Math.Min(data.Length, ChunkSize));
            var count = Math.Min(span.Length, data.Length);
            data[..count].CopyTo(span);
            Commit(span, count);
            data = data[count..];
        }
    }

    private void Commit(Span<byte> span, int count)
    {
        if (_options.Checksum)
        {
            _crc = Crc64.Update(_crc, span[..count]);
        }
        _output.Advance(count);
        BytesWritten += count;
    }
}
