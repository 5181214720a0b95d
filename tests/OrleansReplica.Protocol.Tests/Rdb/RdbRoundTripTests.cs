using System.Buffers;
using System.Text;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Protocol.Tests.Rdb;

/// <summary><see cref="RdbWriter"/> output read back by <see cref="RdbReader"/>, and the exact bytes of the string encodings.</summary>
public sealed class RdbRoundTripTests
{
    private static byte[] Write(Action<RdbWriter> body, RdbWriterOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new RdbWriter(buffer, options ?? new RdbWriterOptions());
        writer.WriteHeader();
        body(writer);
        writer.WriteEnd();
        Assert.Equal(buffer.WrittenCount, writer.BytesWritten);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [Fact]
    public void Header_aux_dbs_expires_and_strings_round_trip()
    {
        var file = Write(w =>
        {
            w.WriteAux("redis-ver", "7.0.15"u8);
            w.WriteAux("redis-bits", 64);
            w.WriteAux("ctime", 1_700_000_000);
            w.WriteAux("repl-offset", 123_456_789_012);
            w.WriteSelectDb(0);
            w.WriteResizeDb(3, 1);
            w.WriteString("plain"u8, "hello"u8);
            w.WriteExpireMs(1_900_000_000_000);
            w.WriteString("expiring"u8, "soon"u8);
            w.WriteIdle(77);
            w.WriteString("counter"u8, 42);
            w.WriteSelectDb(5);
            w.WriteFrequency(9);
            w.WriteString("big"u8, long.MinValue);
        });
        Assert.Equal("REDIS0010", Encoding.ASCII.GetString(file, 0, 9));
        var (handler, summary) = RdbBytes.Read(file);
        Assert.True(summary.ChecksumVerified);
        Assert.Equal(4, summary.Keys);
        Assert.Equal(1, summary.Expires);
        Assert.Equal([("redis-ver", "7.0.15"), ("redis-bits", "64"), ("ctime", "1700000000"), ("repl-offset", "123456789012")], handler.Aux);
        Assert.Equal([0, 5], handler.SelectedDbs);
        Assert.Equal([(3L, 1L)], handler.Resizes);
        Assert.Equal("hello", handler["plain"].String);
        Assert.Equal(new RdbKeyMetadata(0, 1_900_000_000_000, -1, -1), handler["expiring"].Metadata);
        Assert.Equal("42", handler["counter"].String);
        Assert.Equal(77, handler["counter"].Metadata.IdleSeconds);
        Assert.Equal(long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture), handler["big", 5].String);
        Assert.Equal(9, handler["big", 5].Metadata.Frequency);
    }

    [Theory]
    [InlineData("0", "c000")]
    [InlineData("-1", "c0ff")]
    [InlineData("127", "c07f")]
    [InlineData("128", "c18000")]
    [InlineData("-32768", "c10080")]
    [InlineData("32768", "c200800000")]
    [InlineData("2147483647", "c2ffffff7f")]
    [InlineData("2147483648", "0a32313437343833363438")] // beyond 32 bits: raw text, as Redis writes it
    [InlineData("007", "03303037")] // not canonical: raw
    [InlineData("+7", "022b37")]
    [InlineData("-0", "022d30")]
    [InlineData("", "00")]
    [InlineData("abc", "03616263")]
    public void String_values_are_encoded_as_redis_encodes_them(string value, string expectedHex)
    {
        var file = Write(w => w.WriteString("k"u8, Bytes(value)));
        // header (9) + type (1) + key "k" (2), then the value, then EOF + checksum (9).
        var encoded = file.AsSpan(12, file.Length - 12 - 9);
        Assert.Equal(expectedHex, Convert.ToHexString(encoded).ToLowerInvariant());
        Assert.Equal(value, RdbBytes.Read(file).Handler["k"].String);
    }

    [Fact]
    public void Long_compressible_strings_are_lzf_compressed_only_when_enabled_and_worth_it()
    {
        var value = Bytes(new string('a', 21));
        var compressed = Write(w => w.WriteString("k"u8, value));
        Assert.Equal(0xC3, compressed[12]);
        Assert.Equal("aaaaaaaaaaaaaaaaaaaaa", RdbBytes.Read(compressed).Handler["k"].String);

        var twenty = Write(w => w.WriteString("k"u8, Bytes(new string('a', 20))));
        Assert.Equal(20, twenty[12]);

        var off = Write(w => w.WriteString("k"u8, value), new RdbWriterOptions { Compression = false });
        Assert.Equal(21, off[12]);

        var random = new byte[100];
        new Random(5).NextBytes(random);
        var incompressible = Write(w => w.WriteString("k"u8, random));
        Assert.Equal(0x40, incompressible[12]); // 14-bit length 100: stored raw
        Assert.Equal(random, Encoding.Latin1.GetBytes(RdbBytes.Read(incompressible).Handler["k"].String!));
    }

    [Fact]
    public void Checksum_off_writes_zeros_and_the_reader_skips_verification()
    {
        var file = Write(w => w.WriteString("k"u8, "v"u8), new RdbWriterOptions { Checksum = false });
        Assert.All(file[^8..], b => Assert.Equal(0, b));
        var (_, summary) = RdbBytes.Read(file);
        Assert.False(summary.ChecksumVerified);
    }

    [Fact]
    public void Checksum_matches_crc64_of_everything_before_it()
    {
        var file = Write(w => w.WriteString("k"u8, "v"u8));
        Assert.Equal(Crc64.Update(0, file.AsSpan(0, file.Length - 8)), BitConverter.ToUInt64(file, file.Length - 8));
    }

    [Fact]
    public void Collections_round_trip()
    {
        var big = new string('x', 70_000);
        var file = Write(w =>
        {
            w.BeginList("list"u8, 3);
            w.WriteListItem("a"u8);
            w.WriteListItem("12"u8);
            w.WriteListItem(Bytes(big));
            w.BeginSet("set"u8, 2);
            w.WriteSetMember("m1"u8);
            w.WriteSetMember("m2"u8);
            w.BeginSortedSet("zset"u8, 3);
            w.WriteSortedSetMember("low"u8, double.NegativeInfinity);
            w.WriteSortedSetMember("mid"u8, 0.1);
            w.WriteSortedSetMember("high"u8, 1e300);
            w.BeginHash("hash"u8, 2);
            w.WriteHashField("f"u8, "v"u8);
            w.WriteHashField("n"u8, "100"u8);
            w.WriteFunction("#!lua name=lib\nredis.register_function('x', function() return 1 end)"u8);
        });
        var (handler, summary) = RdbBytes.Read(file);
        Assert.Equal(4, summary.Keys);
        Assert.Equal(["a", "12", big], handler["list"].Items!);
        Assert.Equal(["m1", "m2"], handler["set"].Items!);
        Assert.Equal([("low", double.NegativeInfinity), ("mid", 0.1), ("high", 1e300)], handler["zset"].Scored!);
        Assert.Equal([("f", "v"), ("n", "100")], handler["hash"].Pairs!);
        Assert.Single(handler.Functions);
    }

    [Fact]
    public void Element_counts_are_enforced()
    {
        var writer = new RdbWriter(new ArrayBufferWriter<byte>(), new RdbWriterOptions());
        writer.WriteHeader();
        writer.BeginSet("s"u8, 2);
        writer.WriteSetMember("a"u8);
        Assert.Throws<InvalidOperationException>(() => writer.WriteString("k"u8, "v"u8));
        Assert.Throws<InvalidOperationException>(() => writer.WriteListItem("x"u8));
        writer.WriteSetMember("b"u8);
        Assert.Throws<InvalidOperationException>(() => writer.WriteSetMember("c"u8));
        writer.WriteEnd();
    }

    [Fact]
    public void Streams_round_trip_across_several_nodes()
    {
        var entries = new List<RdbStreamEntry>();
        for (var i = 0; i < 250; i++)
        {
            var fields = i % 3 == 0
                ? new[] { (Bytes("sensor"), Bytes($"s{i}")), (Bytes("value"), Bytes((i * 10).ToString(System.Globalization.CultureInfo.InvariantCulture))) }
                : new[] { (Bytes("other"), Bytes(new string('o', i))) };
            entries.Add(new RdbStreamEntry { Id = new RdbStreamId(1_700_000_000_000UL + (ulong)(i / 2), (ulong)(i % 2)), Fields = fields });
        }
        var pending = new RdbStreamPendingEntry { Id = entries[3].Id, DeliveryTimeMs = 123, DeliveryCount = 4 };
        var stream = new RdbStream
        {
            Entries = entries,
            Length = 250,
            LastId = entries[^1].Id,
            FirstId = entries[0].Id,
            MaxDeletedEntryId = new RdbStreamId(5, 5),
            EntriesAdded = 260,
            Groups =
            [
                new RdbStreamConsumerGroup
                {
                    Name = Bytes("grp"),
                    LastDeliveredId = entries[3].Id,
                    EntriesRead = 4,
                    Pending = [pending],
                    Consumers = [new RdbStreamConsumer { Name = Bytes("c1"), SeenTimeMs = 999, Pending = [entries[3].Id] }],
                },
                new RdbStreamConsumerGroup { Name = Bytes("idle"), LastDeliveredId = default, EntriesRead = -1, Pending = [], Consumers = [] },
            ],
        };
        var file = Write(w => w.WriteStream("s"u8, stream));
        var read = RdbBytes.Read(file).Handler["s"].Stream!;
        Assert.Equal(250, read.Entries.Count);
        for (var i = 0; i < 250; i++)
        {
            Assert.Equal(entries[i].Id, read.Entries[i].Id);
            Assert.Equal(entries[i].Fields.Select(f => (RecordingHandler.Text(f.Field), RecordingHandler.Text(f.Value))), read.Entries[i].Fields.Select(f => (RecordingHandler.Text(f.Field), RecordingHandler.Text(f.Value))));
        }
        Assert.Equal(stream.LastId, read.LastId);
        Assert.Equal(stream.FirstId, read.FirstId);
        Assert.Equal(stream.MaxDeletedEntryId, read.MaxDeletedEntryId);
        Assert.Equal(260UL, read.EntriesAdded);
        Assert.Equal(2, read.Groups.Count);
        Assert.Equal(4, read.Groups[0].EntriesRead);
        Assert.Equal(-1, read.Groups[1].EntriesRead);
        Assert.Equal("c1", RecordingHandler.Text(read.Groups[0].Pending[0].Consumer!));
        Assert.Equal(4UL, read.Groups[0].Pending[0].DeliveryCount);
        Assert.Equal(999, read.Groups[0].Consumers[0].SeenTimeMs);
    }

    [Fact]
    public void A_million_string_keys_stream_through_the_reader_without_allocating_per_key()
    {
        const int keys = 1_000_000;
        var buffer = new ArrayBufferWriter<byte>(32 * 1024 * 1024);
        var writer = new RdbWriter(buffer, new RdbWriterOptions());
        writer.WriteHeader();
        writer.WriteSelectDb(0);
        writer.WriteResizeDb(keys, 0);
        Span<byte> key = stackalloc byte[16];
        for (var i = 0; i < keys; i++)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(i, key[4..], out var written);
            "key:"u8.CopyTo(key);
            writer.WriteString(key[..(4 + written)], i % 2 == 0 ? "some value of a few bytes"u8 : key[..(4 + written)]);
        }
        writer.WriteEnd();

        var counter = new CountingHandler();
        var reader = new RdbReader(new MemoryStream(buffer.WrittenMemory.ToArray()), "big.rdb");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var summary = reader.Read(counter);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(keys, summary.Keys);
        Assert.Equal(keys, counter.Strings);
        Assert.True(summary.ChecksumVerified);
        Assert.True(allocated < 2 * 1024 * 1024, $"allocated {allocated} bytes for {keys} keys");
    }

    private sealed class CountingHandler : IRdbHandler
    {
        public long Strings { get; private set; }

        public void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) { }

        public void OnSelectDb(int db) { }

        public void OnResizeDb(long keys, long expires) { }

        public void OnString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in RdbKeyMetadata metadata) => Strings++;

        public void OnList(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> items, in RdbKeyMetadata metadata) { }

        public void OnSet(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> members, in RdbKeyMetadata metadata) { }

        public void OnSortedSet(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Member, double Score)> members, in RdbKeyMetadata metadata) { }

        public void OnHash(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Field, byte[] Value)> fields, in RdbKeyMetadata metadata) { }

        public void OnStream(ReadOnlySpan<byte> key, RdbStream stream, in RdbKeyMetadata metadata) { }

        public void OnFunction(ReadOnlySpan<byte> libraryCode) { }

        public void OnModuleAux(ReadOnlySpan<byte> moduleName) { }
    }
}
