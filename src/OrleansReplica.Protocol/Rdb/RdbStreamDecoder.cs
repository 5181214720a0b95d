using System.Buffers.Text;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>
/// Reads a stream value (stream, stream-v2, stream-v3): listpack nodes keyed by their master ID, the
/// counters, then the consumer groups with their pending entries and consumers.
/// </summary>
internal sealed class RdbStreamDecoder(RdbInput input)
{
    // Entry flags inside a node's listpack.
    private const long DeletedFlag = 1;
    private const long SameFieldsFlag = 2;

    private byte[] _nodeKey = new byte[16];
    private byte[] _blob = [];
    private byte[] _name = [];

    public RdbStream Read(int type)
    {
        var entries = new List<RdbStreamEntry>();
        var nodes = input.ReadLength();
        var previousNode = default(RdbStreamId);
        var live = 0UL;
        var havePrevious = false;
        for (var n = 0UL; n < nodes; n++)
        {
            var keyOffset = input.Position;
            var key = input.ReadString(ref _nodeKey, stable: true);
            if (key.Length != 16)
            {
                throw input.Fail("stream node key is not the size of a stream ID", keyOffset);
            }
            var master = RdbStreamId.ReadBigEndian(key);
            if (havePrevious && master.CompareTo(previousNode) <= 0)
            {
                throw input.Fail("stream node keys not in ascending order", keyOffset);
            }
            previousNode = master;
            havePrevious = true;
            var blobOffset = input.Position;
            var blob = input.ReadString(ref _blob, stable: false, out var dataOffset, out var raw);
            try
            {
                live += ReadNode(blob, master, entries);
            }
            catch (RdbBlobException e)
            {
                throw input.Fail(e.Reason, raw ? dataOffset + e.Index : blobOffset);
            }
        }

        var countersOffset = input.Position;
        var length = input.ReadLength();
        var lastId = new RdbStreamId(input.ReadLength(), input.ReadLength());
        var firstId = entries.Count > 0 ? entries[0].Id : default;
        var maxDeleted = default(RdbStreamId);
        var added = length;
        if (type >= RdbObjectType.StreamListpacks2)
        {
            firstId = new RdbStreamId(input.ReadLength(), input.ReadLength());
            maxDeleted = new RdbStreamId(input.ReadLength(), input.ReadLength());
            added = input.ReadLength();
        }
        if (length != live)
        {
            throw input.Fail($"stream length {length} does not match its {live} entries", countersOffset);
        }
        if (entries.Count > 0 && entries[^1].Id.CompareTo(lastId) > 0)
        {
            throw input.Fail("stream last ID is smaller than its last entry", countersOffset);
        }

        var groups = new List<RdbStreamConsumerGroup>();
        var groupCount = input.ReadLength();
        var groupNames = new HashSet<byte[]>(ByteArrayComparer.Instance);
        for (var g = 0UL; g < groupCount; g++)
        {
            groups.Add(ReadGroup(type, groupNames));
        }
        return new RdbStream
        {
            Entries = entries,
            Length = length,
            LastId = lastId,
            FirstId = firstId,
            MaxDeletedEntryId = maxDeleted,
            EntriesAdded = added,
            Groups = groups,
        };
    }

    private RdbStreamConsumerGroup ReadGroup(int type, HashSet<byte[]> groupNames)
    {
        var nameOffset = input.Position;
        var name = input.ReadString(ref _name, stable: false).ToArray();
        if (!groupNames.Add(name))
        {
            throw input.Fail("duplicated consumer group name", nameOffset);
        }
        var lastDelivered = new RdbStreamId(input.ReadLength(), input.ReadLength());
        var entriesRead = -1L;
        if (type >= RdbObjectType.StreamListpacks2)
        {
            var readOffset = input.Position;
            var value = input.ReadLength();
            // Redis stores "unknown" (-1) as the 64-bit length 0xFFFFFFFFFFFFFFFF.
            entriesRead = value == ulong.MaxValue ? -1 : value > long.MaxValue ? throw input.Fail("consumer group entries-read out of range", readOffset) : (long)value;
        }

        var pending = new List<RdbStreamPendingEntry>();
        var byId = new Dictionary<RdbStreamId, RdbStreamPendingEntry>();
        var pendingCount = input.ReadLength();
        for (var i = 0UL; i < pendingCount; i++)
        {
            var idOffset = input.Position;
            var id = RdbStreamId.ReadBigEndian(input.ReadSpan(16));
            var deliveryTime = (long)input.ReadUInt64LittleEndian();
            var deliveryCount = input.ReadLength();
            var entry = new RdbStreamPendingEntry { Id = id, DeliveryTimeMs = deliveryTime, DeliveryCount = deliveryCount };
            if (!byId.TryAdd(id, entry))
            {
                throw input.Fail("duplicated pending entry in consumer group", idOffset);
            }
            pending.Add(entry);
        }

        var consumers = new List<RdbStreamConsumer>();
        var consumerNames = new HashSet<byte[]>(ByteArrayComparer.Instance);
        var consumerCount = input.ReadLength();
        for (var c = 0UL; c < consumerCount; c++)
        {
            var consumerOffset = input.Position;
            var consumerName = input.ReadString(ref _name, stable: false).ToArray();
            if (!consumerNames.Add(consumerName))
            {
                throw input.Fail("duplicated stream consumer", consumerOffset);
            }
            var seen = (long)input.ReadUInt64LittleEndian();
            var active = type >= RdbObjectType.StreamListpacks3 ? (long)input.ReadUInt64LittleEndian() : -1;
            var owned = new List<RdbStreamId>();
            var ownedCount = input.ReadLength();
            for (var i = 0UL; i < ownedCount; i++)
            {
                var idOffset = input.Position;
                var id = RdbStreamId.ReadBigEndian(input.ReadSpan(16));
                if (!byId.TryGetValue(id, out var entry))
                {
                    throw input.Fail("consumer pending entry not found in the group's pending entries", idOffset);
                }
                if (entry.Consumer is not null)
                {
                    throw input.Fail("pending entry owned by more than one consumer", idOffset);
                }
                entry.Consumer = consumerName;
                owned.Add(id);
            }
            consumers.Add(new RdbStreamConsumer { Name = consumerName, SeenTimeMs = seen, ActiveTimeMs = active, Pending = owned });
        }
        return new RdbStreamConsumerGroup
        {
            Name = name,
            LastDeliveredId = lastDelivered,
            EntriesRead = entriesRead,
            Pending = pending,
            Consumers = consumers,
        };
    }

    // One node: the master entry (live count, deleted count, master fields, 0), then entries of
    // flags, ID deltas, fields/values (or values only with the master fields) and the entry's element count.
    private static ulong ReadNode(ReadOnlySpan<byte> blob, RdbStreamId master, List<RdbStreamEntry> entries)
    {
        var lp = new ListpackReader(blob);
        var first = lp.Offset;
        if (!lp.Next(out _, out _, out _))
        {
            throw new RdbBlobException("empty listpack inside stream", first);
        }
        lp = new ListpackReader(blob);
        var liveCount = NextInteger(ref lp, "stream master entry count");
        var deletedCount = NextInteger(ref lp, "stream master deleted count");
        var masterFieldCount = NextInteger(ref lp, "stream master field count");
        if (liveCount < 0 || deletedCount < 0 || masterFieldCount < 0 || masterFieldCount > blob.Length)
        {
            throw new RdbBlobException("stream master entry counters out of range", first);
        }
        var masterFields = new byte[masterFieldCount][];
        for (var i = 0; i < masterFieldCount; i++)
        {
            masterFields[i] = NextBytes(ref lp, "stream master field");
        }
        if (NextInteger(ref lp, "stream master entry terminator") != 0)
        {
            throw new RdbBlobException("stream master entry not terminated by 0", lp.Offset);
        }

        long live = 0;
        long deleted = 0;
        var previous = default(RdbStreamId);
        var havePrevious = false;
        while (true)
        {
            var entryOffset = lp.Offset;
            if (!lp.Next(out var isInteger, out var flags, out var text))
            {
                break;
            }
            if (!isInteger && !RdbScore.IsInteger(text, out flags))
            {
                throw new RdbBlobException("stream entry flags are not an integer", entryOffset);
            }
            var id = new RdbStreamId(
                unchecked(master.Ms + (ulong)NextInteger(ref lp, "stream entry ID")),
                unchecked(master.Seq + (ulong)NextInteger(ref lp, "stream entry ID")));
            if (havePrevious && id.CompareTo(previous) <= 0 || id.CompareTo(master) < 0)
            {
                throw new RdbBlobException("stream entry IDs not in ascending order", entryOffset);
            }
            previous = id;
            havePrevious = true;
            var sameFields = (flags & SameFieldsFlag) != 0;
            var fieldCount = sameFields ? masterFieldCount : NextInteger(ref lp, "stream entry field count");
            if (fieldCount < 0 || fieldCount > blob.Length)
            {
                throw new RdbBlobException("stream entry field count out of range", entryOffset);
            }
            var isDeleted = (flags & DeletedFlag) != 0;
            var fields = isDeleted ? null : new (byte[], byte[])[fieldCount];
            for (var i = 0; i < fieldCount; i++)
            {
                var field = sameFields ? masterFields[i] : NextBytes(ref lp, "stream entry field");
                var value = NextBytes(ref lp, "stream entry value");
                if (fields is not null)
                {
                    fields[i] = (field, value);
                }
            }
            var elements = NextInteger(ref lp, "stream entry element count");
            var expected = sameFields ? fieldCount + 3 : 2 * fieldCount + 4;
            if (elements != expected)
            {
                throw new RdbBlobException($"stream entry element count {elements} does not match {expected}", entryOffset);
            }
            if (isDeleted)
            {
                deleted++;
            }
            else
            {
                live++;
                entries.Add(new RdbStreamEntry { Id = id, Fields = fields! });
            }
        }
        if (live != liveCount || deleted != deletedCount)
        {
            throw new RdbBlobException($"stream master entry counts {liveCount} live and {deletedCount} deleted entries but the node holds {live} and {deleted}", first);
        }
        return (ulong)live;
    }

    private static long NextInteger(ref ListpackReader lp, string what)
    {
        var at = lp.Offset;
        if (!lp.Next(out var isInteger, out var value, out var text))
        {
            throw new RdbBlobException($"{what} missing", at);
        }
        if (!isInteger && !RdbScore.IsInteger(text, out value))
        {
            throw new RdbBlobException($"{what} is not an integer", at);
        }
        return value;
    }

    private static byte[] NextBytes(ref ListpackReader lp, string what)
    {
        var at = lp.Offset;
        if (!lp.Next(out var isInteger, out var value, out var text))
        {
            throw new RdbBlobException($"{what} missing", at);
        }
        return isInteger ? FormatInteger(value) : text.ToArray();
    }

    public static byte[] FormatInteger(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        return digits[..written].ToArray();
    }
}
