using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// Reads an RDB (versions 1 to 10) from a stream and hands every aux field, database switch and key
/// to an <see cref="IRdbHandler"/>, validating the encodings as it goes and the CRC-64 at the end.
/// Memory stays bounded by the largest single value: buffers are reused from key to key.
/// </summary>
public sealed class RdbReader
{
    /// <summary>The newest RDB version this reader understands (Redis 7.0).</summary>
    public const int MaxVersion = 10;

    private const int QuicklistPlainNode = 1;
    private const int QuicklistPackedNode = 2;
    private const int ModuleOpcodeEof = 0;
    private const int ModuleOpcodeSignedInt = 1;
    private const int ModuleOpcodeUnsignedInt = 2;
    private const int ModuleOpcodeFloat = 3;
    private const int ModuleOpcodeDouble = 4;
    private const int ModuleOpcodeString = 5;
    private const string ModuleNameCharset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private readonly RdbInput _in;
    private readonly RdbStreamDecoder _streams;
    private readonly List<byte[]> _items = [];
    private readonly List<(byte[] Field, byte[] Value)> _pairs = [];
    private readonly List<(byte[] Member, double Score)> _scored = [];
    private readonly HashSet<byte[]> _unique = new(ByteArrayComparer.Instance);
    private byte[] _key = new byte[64];
    private byte[] _value = [];
    private byte[] _blob = [];

    // Bytes a well-formed file still holds after the current object: the EOF opcode and the checksum.
    private int _tail = 1;

    /// <summary>Reads from <paramref name="input"/>; <paramref name="source"/> (a file name or "replication stream") names it in errors.</summary>
    public RdbReader(Stream input, string source)
        : this(input, source, -1)
    {
    }

    /// <summary>
    /// Reads an RDB of known total <paramref name="length"/> (e.g. the "$length" of a replication
    /// transfer), which lets the reader buffer freely within it; -1 when unknown. Without a length,
    /// a seekable stream is buffered up to its end (and positioned right after the checksum once
    /// read) and a non-seekable one is never read past the 8-byte checksum.
    /// </summary>
    public RdbReader(Stream input, string source, long length)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(source);
        _in = new RdbInput(input, source, length);
        _streams = new RdbStreamDecoder(_in);
    }

    /// <summary>Bytes consumed so far (inside a handler callback: the end of the item just read).</summary>
    public long Position => _in.Position;

    /// <summary>Reads the whole RDB, header through checksum; throws <see cref="RdbFormatException"/> on any malformed or truncated input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public RdbReadSummary Read(IRdbHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var version = ReadHeader();
        _tail = version >= 5 ? 9 : 1;

        var db = 0;
        long expireAt = -1;
        long idle = -1;
        var frequency = -1;
        long keys = 0;
        long expires = 0;
        long skipped = 0;
        var aux = new List<RdbAuxField>();
        while (true)
        {
            _in.Phase = "read-type";
            _in.ObjectType = -1;
            _in.KeyLength = -1;
            _in.Reserve = _tail - 1;
            var typeOffset = _in.Position;
            var type = _in.ReadByte();
            // After a key's prefix opcode come at least its type, key and value.
            _in.Reserve = _tail + 3;
            switch (type)
            {
                case RdbOpcode.ExpireTime:
                    _in.Phase = "read-expire";
                    expireAt = (long)(int)_in.ReadUInt32LittleEndian() * 1000;
                    continue;
                case RdbOpcode.ExpireTimeMs:
                    _in.Phase = "read-expire";
                    expireAt = (long)_in.ReadUInt64LittleEndian();
                    continue;
                case RdbOpcode.Idle:
                    _in.Phase = "read-idle";
                    var idleOffset = _in.Position;
                    var seconds = _in.ReadLength();
                    idle = seconds <= long.MaxValue ? (long)seconds : throw _in.Fail("idle time out of range", idleOffset);
                    continue;
                case RdbOpcode.Freq:
                    _in.Phase = "read-freq";
                    frequency = _in.ReadByte();
                    continue;
                case RdbOpcode.SelectDb:
                    _in.Phase = "read-selectdb";
                    _in.Reserve = _tail;
                    db = (int)_in.ReadCount(int.MaxValue, "database index");
                    handler.OnSelectDb(db);
                    continue;
                case RdbOpcode.ResizeDb:
                    _in.Phase = "read-resizedb";
                    _in.Reserve = _tail + 1;
                    var dbSize = _in.ReadCount(long.MaxValue, "resize-db key count");
                    _in.Reserve = _tail;
                    var expiresSize = _in.ReadCount(long.MaxValue, "resize-db expire count");
                    handler.OnResizeDb(dbSize, expiresSize);
                    continue;
                case RdbOpcode.Aux:
                    _in.Phase = "read-aux";
                    _in.Reserve = _tail + 1;
                    var name = _in.ReadString(ref _key, stable: true);
                    _in.Reserve = _tail;
                    var value = _in.ReadString(ref _value, stable: false);
                    aux.Add(new RdbAuxField(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
                    handler.OnAux(name, value);
                    continue;
                case RdbOpcode.ModuleAux:
                    _in.Phase = "read-module-aux";
                    _in.Reserve = _tail;
                    ReadModuleAux(handler);
                    continue;
                case RdbOpcode.Function2:
                    _in.Phase = "read-functions";
                    _in.Reserve = _tail;
                    handler.OnFunction(_in.ReadString(ref _value, stable: false));
                    continue;
                case RdbOpcode.Function:
                    throw _in.Fail("pre-release function format (FUNCTION opcode of Redis 7.0 release candidates) not supported", typeOffset);
                case RdbOpcode.Eof:
                    break;
                default:
                    if (!IsValueType(type))
                    {
                        throw _in.Fail($"invalid object type {type}", typeOffset);
                    }
                    _in.ObjectType = type;
                    _in.Phase = "read-key";
                    _in.Reserve = _tail + 1;
                    var key = _in.ReadString(ref _key, stable: true);
                    _in.KeyBuffer = _key;
                    _in.KeyLength = key.Length;
                    _in.Phase = "read-object-value";
                    _in.Reserve = _tail;
                    var metadata = new RdbKeyMetadata(db, expireAt, idle, frequency);
                    if (ReadValue(type, typeOffset, key, metadata, handler))
                    {
                        keys++;
                        if (expireAt != -1)
                        {
                            expires++;
                        }
                    }
                    else
                    {
                        skipped++;
                    }
                    expireAt = -1;
                    idle = -1;
                    frequency = -1;
                    continue;
            }
            break;
        }

        _in.Phase = "check-sum";
        _in.ObjectType = -1;
        _in.KeyLength = -1;
        var computed = _in.Crc;
        ulong stored = 0;
        if (version >= 5)
        {
            _in.Reserve = 0;
            var checksumOffset = _in.Position;
            stored = _in.ReadUInt64LittleEndian();
            if (stored != 0 && stored != computed)
            {
                throw _in.Fail($"RDB CRC error: stored checksum {stored:x16}, computed {computed:x16}", checksumOffset);
            }
        }
        _in.ReturnUnconsumed();
        return new RdbReadSummary
        {
            Version = version,
            Keys = keys,
            Expires = expires,
            EmptyKeysSkipped = skipped,
            ChecksumVerified = stored != 0,
            Checksum = stored,
            Length = _in.Position,
            AuxFields = aux,
        };
    }

    private int ReadHeader()
    {
        _in.Phase = "start";
        _in.Reserve = 1;
        var header = _in.ReadSpan(9);
        if (!header[..5].SequenceEqual("REDIS"u8))
        {
            throw _in.Fail("wrong signature: not an RDB file", 0);
        }
        var version = 0;
        foreach (var digit in header[5..])
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                throw _in.Fail("invalid RDB version number", 5);
            }
            version = version * 10 + (digit - '0');
        }
        if (version < 1 || version > MaxVersion)
        {
            throw _in.Fail($"can't handle RDB format version {version}", 5);
        }
        return version;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsValueType(byte type) => type is <= RdbObjectType.Module2 or (>= RdbObjectType.HashZipmap and <= RdbObjectType.StreamListpacks3);

    /// <summary>Reads one value and hands it over; false when it was an empty collection (skipped, as Redis does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReadValue(byte type, long typeOffset, ReadOnlySpan<byte> key, in RdbKeyMetadata metadata, IRdbHandler handler)
    {
        switch (type)
        {
            case RdbObjectType.String:
                handler.OnString(key, _in.ReadString(ref _value, stable: false), metadata);
                return true;
            case RdbObjectType.List:
                ReadPlainElements(unique: false, "list");
                return Deliver(handler, key, _items, metadata, list: true);
            case RdbObjectType.Set:
                ReadPlainElements(unique: true, "set");
                return Deliver(handler, key, _items, metadata, list: false);
            case RdbObjectType.ZSet:
            case RdbObjectType.ZSet2:
                ReadPlainSortedSet(binaryScores: type == RdbObjectType.ZSet2);
                return DeliverSortedSet(handler, key, metadata);
            case RdbObjectType.Hash:
                ReadPlainHash();
                return DeliverHash(handler, key, metadata);
            case RdbObjectType.ModulePreGa:
            case RdbObjectType.Module2:
                throw _in.Fail("module type not supported", typeOffset);
            case RdbObjectType.HashZipmap:
                _pairs.Clear();
                DecodeBlob(type);
                return DeliverHash(handler, key, metadata);
            case RdbObjectType.ListZiplist:
            case RdbObjectType.ListQuicklist:
            case RdbObjectType.ListQuicklist2:
                _items.Clear();
                if (type == RdbObjectType.ListZiplist)
                {
                    DecodeBlob(type);
                }
                else
                {
                    ReadQuicklist(type);
                }
                return Deliver(handler, key, _items, metadata, list: true);
            case RdbObjectType.SetIntset:
            case RdbObjectType.SetListpack:
                _items.Clear();
                _unique.Clear();
                DecodeBlob(type);
                return Deliver(handler, key, _items, metadata, list: false);
            case RdbObjectType.ZSetZiplist:
            case RdbObjectType.ZSetListpack:
                _scored.Clear();
                _unique.Clear();
                DecodeBlob(type);
                return DeliverSortedSet(handler, key, metadata);
            case RdbObjectType.HashZiplist:
            case RdbObjectType.HashListpack:
                _pairs.Clear();
                _unique.Clear();
                DecodeBlob(type);
                return DeliverHash(handler, key, metadata);
            default:
                handler.OnStream(key, _streams.Read(type), metadata);
                return true;
        }
    }

    private static bool Deliver(IRdbHandler handler, ReadOnlySpan<byte> key, List<byte[]> items, in RdbKeyMetadata metadata, bool list)
    {
        if (items.Count == 0)
        {
            return false;
        }
        if (list)
        {
            handler.OnList(key, items, metadata);
        }
        else
        {
            handler.OnSet(key, items, metadata);
        }
        return true;
    }

    private bool DeliverSortedSet(IRdbHandler handler, ReadOnlySpan<byte> key, in RdbKeyMetadata metadata)
    {
        if (_scored.Count == 0)
        {
            return false;
        }
        handler.OnSortedSet(key, _scored, metadata);
        return true;
    }

    private bool DeliverHash(IRdbHandler handler, ReadOnlySpan<byte> key, in RdbKeyMetadata metadata)
    {
        if (_pairs.Count == 0)
        {
            return false;
        }
        handler.OnHash(key, _pairs, metadata);
        return true;
    }

    // Every remaining element takes at least one byte: a lower bound of what follows.
    private void ReserveFor(ulong remaining, int bytesEach) =>
        _in.Reserve = _tail + (int)Math.Min(remaining * (ulong)bytesEach, RdbInput.BufferSize);

    private void ReadPlainElements(bool unique, string what)
    {
        _items.Clear();
        _unique.Clear();
        var count = _in.ReadLength();
        for (var i = 0UL; i < count; i++)
        {
            ReserveFor(count - i - 1, 1);
            var offset = _in.Position;
            var element = _in.ReadString(ref _value, stable: false).ToArray();
            if (unique && !_unique.Add(element))
            {
                throw _in.Fail($"duplicate {what} member", offset);
            }
            _items.Add(element);
        }
    }

    private void ReadPlainSortedSet(bool binaryScores)
    {
        _scored.Clear();
        _unique.Clear();
        var count = _in.ReadLength();
        for (var i = 0UL; i < count; i++)
        {
            ReserveFor(count - i - 1, binaryScores ? 9 : 2);
            var offset = _in.Position;
            var member = _in.ReadString(ref _value, stable: false).ToArray();
            if (!_unique.Add(member))
            {
                throw _in.Fail("duplicate sorted set member", offset);
            }
            var scoreOffset = _in.Position;
            var score = binaryScores ? BitConverter.Int64BitsToDouble((long)_in.ReadUInt64LittleEndian()) : ReadTextScore();
            if (double.IsNaN(score))
            {
                throw _in.Fail("sorted set score is NaN", scoreOffset);
            }
            _scored.Add((member, score));
        }
    }

    // The old score encoding: a length byte (253 NaN, 254 +inf, 255 -inf) then that many ASCII bytes.
    private double ReadTextScore()
    {
        var offset = _in.Position;
        var length = _in.ReadByte();
        switch (length)
        {
            case 253:
                return double.NaN;
            case 254:
                return double.PositiveInfinity;
            case 255:
                return double.NegativeInfinity;
        }
        var text = _in.ReadSpan(length);
        return RdbScore.TryParse(text, out var score) ? score : throw _in.Fail("invalid sorted set score", offset);
    }

    private void ReadPlainHash()
    {
        _pairs.Clear();
        _unique.Clear();
        var count = _in.ReadLength();
        for (var i = 0UL; i < count; i++)
        {
            // The field is followed by at least its value's length byte, the value by the other pairs.
            ReserveFor(count - i - 1, 2);
            _in.Reserve += 1;
            var offset = _in.Position;
            var field = _in.ReadString(ref _value, stable: false).ToArray();
            if (!_unique.Add(field))
            {
                throw _in.Fail("duplicate hash field", offset);
            }
            _in.Reserve -= 1;
            var value = _in.ReadString(ref _value, stable: false).ToArray();
            _pairs.Add((field, value));
        }
    }

    private void ReadQuicklist(byte type)
    {
        var count = _in.ReadLength();
        for (var i = 0UL; i < count; i++)
        {
            ReserveFor(count - i - 1, 2);
            if (type == RdbObjectType.ListQuicklist2)
            {
                var containerOffset = _in.Position;
                var container = _in.ReadLength();
                if (container == QuicklistPlainNode)
                {
                    _items.Add(_in.ReadString(ref _value, stable: false).ToArray());
                    continue;
                }
                if (container != QuicklistPackedNode)
                {
                    throw _in.Fail($"invalid quicklist node container {container}", containerOffset);
                }
            }
            DecodeBlob(type);
        }
    }

    /// <summary>Reads one string holding an encoded blob and decodes it into the element lists.</summary>
    private void DecodeBlob(byte type)
    {
        var blobOffset = _in.Position;
        var blob = _in.ReadString(ref _blob, stable: false, out var dataOffset, out var raw);
        try
        {
            switch (type)
            {
                case RdbObjectType.HashZipmap:
                    ZipmapDecoder.Decode(blob, _pairs);
                    _unique.Clear();
                    foreach (var (field, _) in _pairs)
                    {
                        if (!_unique.Add(field))
                        {
                            throw new RdbBlobException("duplicate hash field", 0);
                        }
                    }
                    break;
                case RdbObjectType.ListZiplist:
                case RdbObjectType.ListQuicklist:
                    var ziplist = new ZiplistReader(blob);
                    while (ziplist.Next(out var isInteger, out var integer, out var text))
                    {
                        _items.Add(Element(isInteger, integer, text));
                    }
                    break;
                case RdbObjectType.ListQuicklist2:
                    var listpack = new ListpackReader(blob);
                    while (listpack.Next(out var isInteger, out var integer, out var text))
                    {
                        _items.Add(Element(isInteger, integer, text));
                    }
                    break;
                case RdbObjectType.SetIntset:
                    var count = IntsetDecoder.Validate(blob, out var width);
                    for (var i = 0; i < count; i++)
                    {
                        _items.Add(RdbStreamDecoder.FormatInteger(IntsetDecoder.Get(blob, width, i)));
                    }
                    break;
                case RdbObjectType.SetListpack:
                    var members = new ListpackReader(blob);
                    while (true)
                    {
                        var at = members.Offset;
                        if (!members.Next(out var isInteger, out var integer, out var text))
                        {
                            break;
                        }
                        var member = Element(isInteger, integer, text);
                        if (!_unique.Add(member))
                        {
                            throw new RdbBlobException("duplicate set member", at);
                        }
                        _items.Add(member);
                    }
                    break;
                case RdbObjectType.ZSetZiplist:
                    DecodeSortedSet(new ZiplistWalker(blob));
                    break;
                case RdbObjectType.ZSetListpack:
                    DecodeSortedSet(new ZiplistWalker(blob, listpack: true));
                    break;
                case RdbObjectType.HashZiplist:
                    DecodePairs(new ZiplistWalker(blob));
                    break;
                case RdbObjectType.HashListpack:
                    DecodePairs(new ZiplistWalker(blob, listpack: true));
                    break;
            }
        }
        catch (RdbBlobException e)
        {
            throw _in.Fail(e.Reason, raw ? dataOffset + e.Index : blobOffset);
        }
    }

    private void DecodeSortedSet(ZiplistWalker walker)
    {
        while (true)
        {
            var at = walker.Offset;
            if (!walker.Next(out var isInteger, out var integer, out var text))
            {
                break;
            }
            var member = Element(isInteger, integer, text);
            var scoreAt = walker.Offset;
            if (!walker.Next(out isInteger, out integer, out text))
            {
                throw new RdbBlobException("sorted set member without a score", at);
            }
            double score = integer;
            if (!isInteger && !RdbScore.TryParse(text, out score))
            {
                throw new RdbBlobException("invalid sorted set score", scoreAt);
            }
            if (!_unique.Add(member))
            {
                throw new RdbBlobException("duplicate sorted set member", at);
            }
            _scored.Add((member, score));
        }
    }

    private void DecodePairs(ZiplistWalker walker)
    {
        while (true)
        {
            var at = walker.Offset;
            if (!walker.Next(out var isInteger, out var integer, out var text))
            {
                break;
            }
            var field = Element(isInteger, integer, text);
            if (!walker.Next(out isInteger, out integer, out text))
            {
                throw new RdbBlobException("hash field without a value", at);
            }
            if (!_unique.Add(field))
            {
                throw new RdbBlobException("duplicate hash field", at);
            }
            _pairs.Add((field, Element(isInteger, integer, text)));
        }
    }

    private static byte[] Element(bool isInteger, long integer, ReadOnlySpan<byte> text) =>
        isInteger ? RdbStreamDecoder.FormatInteger(integer) : text.ToArray();

    /// <summary>Module aux data: module ID, "when" (as an unsigned-int opcode), then typed values up to an EOF opcode; skipped.</summary>
    private void ReadModuleAux(IRdbHandler handler)
    {
        var idOffset = _in.Position;
        var moduleId = _in.ReadLength();
        Span<byte> name = stackalloc byte[9];
        for (var j = 0; j < 9; j++)
        {
            name[j] = (byte)ModuleNameCharset[(int)((moduleId >> (10 + (8 - j) * 6)) & 63)];
        }
        var whenOpcode = _in.ReadLength();
        if (whenOpcode != ModuleOpcodeUnsignedInt)
        {
            throw _in.Fail($"module '{Encoding.ASCII.GetString(name)}' aux data in an unsupported format", idOffset);
        }
        _in.ReadLength();
        while (true)
        {
            var opcodeOffset = _in.Position;
            var opcode = _in.ReadLength();
            switch (opcode)
            {
                case ModuleOpcodeEof:
                    handler.OnModuleAux(name);
                    return;
                case ModuleOpcodeSignedInt:
                case ModuleOpcodeUnsignedInt:
                    _in.ReadLength();
                    break;
                case ModuleOpcodeFloat:
                    _in.ReadSpan(4);
                    break;
                case ModuleOpcodeDouble:
                    _in.ReadSpan(8);
                    break;
                case ModuleOpcodeString:
                    _in.ReadString(ref _blob, stable: false);
                    break;
                default:
                    throw _in.Fail($"unknown module data opcode {opcode}", opcodeOffset);
            }
        }
    }

    /// <summary>One walker over either element encoding, so pairs and scores are decoded once.</summary>
    private ref struct ZiplistWalker
    {
        private ZiplistReader _ziplist;
        private ListpackReader _listpack;
        private readonly bool _isListpack;

        public ZiplistWalker(ReadOnlySpan<byte> blob, bool listpack = false)
        {
            _isListpack = listpack;
            if (listpack)
            {
                _listpack = new ListpackReader(blob);
            }
            else
            {
                _ziplist = new ZiplistReader(blob);
            }
        }

        public readonly int Offset => _isListpack ? _listpack.Offset : _ziplist.Offset;

        public bool Next(out bool isInteger, out long integer, out ReadOnlySpan<byte> text)
        {
            if (_isListpack)
            {
                return _listpack.Next(out isInteger, out integer, out text);
            }
            return _ziplist.Next(out isInteger, out integer, out text);
        }
    }
}
