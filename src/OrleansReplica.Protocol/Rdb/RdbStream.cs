using System.Buffers.Binary;
using System.Globalization;

namespace OrleansReplica.Protocol.Rdb;

/// <summary>A stream entry ID: milliseconds and sequence number ("ms-seq").</summary>
public readonly record struct RdbStreamId(ulong Ms, ulong Seq) : IComparable<RdbStreamId>
{
    public int CompareTo(RdbStreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Ms}-{Seq}");

    /// <summary>The 128-bit big-endian form used for listpack node keys and pending entry IDs.</summary>
    public void WriteBigEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Ms);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Seq);
    }

    /// <summary>Reads the 128-bit big-endian form.</summary>
    public static RdbStreamId ReadBigEndian(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt64BigEndian(source[8..]));
}

/// <summary>One stream entry: its ID and its field/value pairs in order.</summary>
public sealed class RdbStreamEntry
{
    public required RdbStreamId Id { get; init; }

    public required IReadOnlyList<(byte[] Field, byte[] Value)> Fields { get; init; }
}

/// <summary>An entry delivered to a consumer group and not yet acknowledged.</summary>
public sealed class RdbStreamPendingEntry
{
    public required RdbStreamId Id { get; init; }

    /// <summary>Unix time in milliseconds of the last delivery.</summary>
    public required long DeliveryTimeMs { get; init; }

    public required ulong DeliveryCount { get; init; }

    /// <summary>The consumer that owns the entry (set by the reader from the consumers' lists).</summary>
    public byte[]? Consumer { get; set; }
}

/// <summary>A consumer of a group, with the IDs of its pending entries.</summary>
public sealed class RdbStreamConsumer
{
    public required byte[] Name { get; init; }

    /// <summary>Unix time in milliseconds the consumer was last seen.</summary>
    public required long SeenTimeMs { get; init; }

    /// <summary>Unix time in milliseconds of its last successful interaction, or -1 when the format does not store it (before stream-v3).</summary>
    public long ActiveTimeMs { get; init; } = -1;

    public required IReadOnlyList<RdbStreamId> Pending { get; init; }
}

/// <summary>A consumer group: last delivered ID, entries read (-1 unknown), pending entries list and consumers.</summary>
public sealed class RdbStreamConsumerGroup
{
    public required byte[] Name { get; init; }

    public required RdbStreamId LastDeliveredId { get; init; }

    /// <summary>The group's entries-read counter, or -1 when unknown (always so before stream-v2).</summary>
    public long EntriesRead { get; init; } = -1;

    public required IReadOnlyList<RdbStreamPendingEntry> Pending { get; init; }

    public required IReadOnlyList<RdbStreamConsumer> Consumers { get; init; }
}

/// <summary>A stream value as an RDB holds it: its live entries, counters and consumer groups.</summary>
public sealed class RdbStream
{
    /// <summary>The live (not deleted) entries in ID order.</summary>
    public required IReadOnlyList<RdbStreamEntry> Entries { get; init; }

    /// <summary>The stream's length (number of live entries) as stored.</summary>
    public required ulong Length { get; init; }

    public required RdbStreamId LastId { get; init; }

    /// <summary>The first entry's ID (stored since stream-v2; computed from the entries before).</summary>
    public RdbStreamId FirstId { get; init; }

    /// <summary>The largest ID ever deleted (0-0 when unknown, before stream-v2).</summary>
    public RdbStreamId MaxDeletedEntryId { get; init; }

    /// <summary>Number of entries ever added (the length itself before stream-v2).</summary>
    public ulong EntriesAdded { get; init; }

    public required IReadOnlyList<RdbStreamConsumerGroup> Groups { get; init; }
}
