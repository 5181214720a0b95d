using System.Buffers;
using System.Buffers.Binary;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Protocol.Tests.Rdb;

/// <summary>Malformed and truncated input: always <see cref="RdbFormatException"/> with a reason and an offset, never another exception.</summary>
public sealed class RdbCorruptionTests
{
    private static RdbBytes Start() => RdbBytes.Header().Raw(RdbOpcode.SelectDb, 0);

    private static RdbFormatException ReadFails(byte[] file)
    {
        var handler = new RecordingHandler();
        return Assert.Throws<RdbFormatException>(() => new RdbReader(new MemoryStream(file), "bad.rdb").Read(handler));
    }

    /// <summary>A small file with one key of every type and encoding family.</summary>
    private static byte[] SampleFile()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new RdbWriter(buffer, new RdbWriterOptions());
        writer.WriteHeader();
        writer.WriteAux("redis-ver", "7.0.15"u8);
        writer.WriteSelectDb(0);
        writer.WriteResizeDb(6, 1);
        writer.WriteExpireMs(1_900_000_000_000);
        writer.WriteString("s"u8, "a value long enough to be compressed compressed compressed"u8);
        writer.WriteString("i"u8, 123456);
        writer.BeginList("l"u8, 2);
        writer.WriteListItem("x"u8);
        writer.WriteListItem("y"u8);
        writer.BeginHash("h"u8, 1);
        writer.WriteHashField("f"u8, "v"u8);
        writer.BeginSortedSet("z"u8, 1);
        writer.WriteSortedSetMember("m"u8, 2.5);
        writer.WriteStream("st"u8, new RdbStream
        {
            Entries = [new RdbStreamEntry { Id = new RdbStreamId(1, 1), Fields = [("f"u8.ToArray(), "v"u8.ToArray())] }],
            Length = 1,
            LastId = new RdbStreamId(1, 1),
            FirstId = new RdbStreamId(1, 1),
            EntriesAdded = 1,
            Groups = [],
        });
        var body = buffer.WrittenSpan.ToArray();
        // Append a quicklist-v2 and an intset by hand so that blobs are part of the sample too.
        var extra = new RdbBytes()
            .Key(RdbObjectType.ListQuicklist2, "q").Length(1).Length(2).String(RdbBytes.Listpack("a", 5L))
            .Key(RdbObjectType.SetIntset, "is").String(RdbBytes.Intset(2, 1, 2, 3))
            .ToArray();
        var all = new RdbBytes().Raw(body).Raw(extra);
        return all.End();
    }

    [Fact]
    public void The_sample_is_valid()
    {
        var (handler, summary) = RdbBytes.Read(SampleFile());
        Assert.Equal(8, summary.Keys);
        Assert.True(summary.ChecksumVerified);
        Assert.Equal(["a", "5"], handler["q"].Items!);
    }

    [Fact]
    public void Truncation_at_every_offset_is_a_format_error_at_the_end_of_the_data()
    {
        var file = SampleFile();
        for (var length = 0; length < file.Length; length++)
        {
            var truncated = file.AsSpan(0, length).ToArray();
            RdbFormatException error;
            try
            {
                new RdbReader(new MemoryStream(truncated), "cut.rdb").Read(new RecordingHandler());
                Assert.Fail($"truncated at {length}: no error");
                return;
            }
            catch (RdbFormatException e)
            {
                error = e;
            }
            Assert.Equal("cut.rdb", error.Source);
            Assert.InRange(error.Offset, 0, length);
            Assert.Equal($"{error.Reason} in cut.rdb at byte offset {error.Offset}", error.Message);
            if (error.Reason == "unexpected end of file")
            {
                Assert.Equal(length, error.Offset);
            }
        }
    }

    [Fact]
    public void Truncation_through_a_non_seekable_stream_is_a_format_error_too()
    {
        var file = SampleFile();
        for (var length = 0; length < file.Length; length += 7)
        {
            var stream = new TrickleStream(file.AsSpan(0, length).ToArray(), seed: length);
            Assert.Throws<RdbFormatException>(() => new RdbReader(stream, "socket").Read(new RecordingHandler()));
        }
    }

    [Fact]
    public void Every_single_byte_corruption_is_a_format_error_or_a_valid_read()
    {
        // Flipping a byte either still decodes (a changed value would then fail the checksum) or is refused.
        var file = SampleFile();
        for (var offset = 0; offset < file.Length; offset++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                var corrupt = (byte[])file.Clone();
                corrupt[offset] ^= mask;
                try
                {
                    new RdbReader(new MemoryStream(corrupt), "flip.rdb").Read(new RecordingHandler());
                    Assert.Fail($"byte {offset} ^ {mask:x2} went unnoticed");
                }
                catch (RdbFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public void Random_mutations_and_garbage_only_ever_raise_format_errors()
    {
        var file = SampleFile();
        var random = new Random(2024);
        for (var round = 0; round < 3000; round++)
        {
            byte[] input;
            if (round % 3 == 0)
            {
                // Garbage after a valid header, checksum off, so the structure itself is what fails.
                input = [.. "REDIS0010"u8, .. Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(256))];
            }
            else
            {
                input = (byte[])file.Clone();
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    input[random.Next(9, input.Length - 8)] = (byte)random.Next(256);
                }
                input.AsSpan(input.Length - 8).Clear(); // no checksum: every structural check is on its own
            }
            try
            {
                new RdbReader(new MemoryStream(input), "fuzz.rdb").Read(new RecordingHandler());
            }
            catch (RdbFormatException)
            {
            }
        }
    }

    [Fact]
    public void Corrupted_checksum_is_refused_at_the_checksum_offset()
    {
        var file = SampleFile();
        file[^3] ^= 0x10;
        var error = ReadFails(file);
        Assert.StartsWith("RDB CRC error", error.Reason);
        Assert.Equal(file.Length - 8, error.Offset);
        Assert.Equal("check-sum", error.Phase);
    }

    [Fact]
    public void Corrupted_data_is_caught_by_the_checksum()
    {
        var file = Start().Key(RdbObjectType.String, "k").String("value").End();
        file[15] = (byte)'V';
        Assert.StartsWith("RDB CRC error", ReadFails(file).Reason);
    }

    [Theory]
    [InlineData("RUDIS0010", "wrong signature: not an RDB file", 0)]
    [InlineData("REDIS0011", "can't handle RDB format version 11", 5)]
    [InlineData("REDIS0000", "can't handle RDB format version 0", 5)]
    [InlineData("REDIS00x1", "invalid RDB version number", 5)]
    public void Bad_headers(string header, string reason, long offset)
    {
        var file = new RdbBytes().Raw(System.Text.Encoding.ASCII.GetBytes(header)).End();
        var error = ReadFails(file);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void Empty_file_is_an_unexpected_end()
    {
        var error = ReadFails([]);
        Assert.Equal("unexpected end of file", error.Reason);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void Unknown_object_type_and_old_function_opcode_and_modules_are_refused()
    {
        var unknown = ReadFails(Start().Raw(8).String("k").String("v").End());
        Assert.Equal("invalid object type 8", unknown.Reason);
        Assert.Equal(11, unknown.Offset);

        var function = ReadFails(Start().Raw(RdbOpcode.Function).String("f").End());
        Assert.Contains("function", function.Reason);

        var module = ReadFails(Start().Key(RdbObjectType.Module2, "mk").Length(12345).End());
        Assert.Equal("module type not supported", module.Reason);
        Assert.Equal(11, module.Offset);
        Assert.Equal("mk", module.Key);
        Assert.Equal(RdbObjectType.Module2, module.ObjectType);

        var moduleAux = ReadFails(Start().Raw(RdbOpcode.ModuleAux).Length(1).Length(4).End());
        Assert.Contains("unsupported format", moduleAux.Reason);
    }

    [Fact]
    public void Lzf_errors()
    {
        // Declared uncompressed length does not match what the data expands to.
        var wrongLength = ReadFails(Start().Key(RdbObjectType.String, "k").Raw(0xC3, 0x02, 0x05, 0x01, (byte)'a', (byte)'b').End());
        Assert.Equal("invalid LZF compressed string", wrongLength.Reason);
        Assert.Equal(14, wrongLength.Offset);
        Assert.Equal("read-object-value", wrongLength.Phase);
        Assert.Equal("k", wrongLength.Key);

        // An absurd uncompressed length is refused before anything is allocated.
        var absurd = ReadFails(Start().Key(RdbObjectType.String, "k").Raw(0xC3, 0x02).Raw(0x80, 0x7F, 0xFF, 0xFF, 0xFF).Raw(0x01, (byte)'a').End());
        Assert.StartsWith("invalid LZF uncompressed length", absurd.Reason);
    }

    [Fact]
    public void A_huge_declared_string_in_a_short_file_is_an_unexpected_end_not_an_allocation()
    {
        var file = Start().Key(RdbObjectType.String, "k").Raw(0x80, 0x7F, 0xFF, 0xFF, 0x00).Raw(new byte[100]).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = ReadFails(file);
        Assert.Equal("unexpected end of file", error.Reason);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024 * 1024);
    }

    [Fact]
    public void Listpack_errors_point_at_the_offending_byte()
    {
        var listpack = RdbBytes.Listpack("abc", 7L);
        // Corrupt the back-length of the first entry (header 6 + encoding 1 + "abc" 3 = index 10).
        listpack[10] = 9;
        var bytes = Start().Key(RdbObjectType.ListQuicklist2, "q").Length(1).Length(2);
        var blobDataOffset = bytes.Count + 1; // after the 1-byte string length
        var error = ReadFails(bytes.String(listpack).End());
        Assert.Equal("listpack entry back-length does not match its size", error.Reason);
        Assert.Equal(blobDataOffset + 10, error.Offset);
        Assert.Equal("q", error.Key);
    }

    [Theory]
    [InlineData(0, "listpack header says")] // total bytes
    [InlineData(4, "listpack header counts")] // element count
    [InlineData(6, "invalid listpack entry encoding")] // first entry's encoding
    public void Listpack_header_and_encoding_errors(int index, string reason)
    {
        var listpack = RdbBytes.Listpack("abc", 7L);
        listpack[index] = index == 6 ? (byte)0xF8 : (byte)(listpack[index] + 1);
        var error = ReadFails(Start().Key(RdbObjectType.HashListpack, "h").String(listpack).End());
        Assert.StartsWith(reason, error.Reason);
    }

    [Fact]
    public void Ziplist_errors()
    {
        var ziplist = RdbBytes.Ziplist("a", "b");
        var badTail = (byte[])ziplist.Clone();
        badTail[4]++;
        Assert.Contains("tail offset", ReadFails(Start().Key(RdbObjectType.ListZiplist, "l").String(badTail).End()).Reason);

        var badPrevious = (byte[])ziplist.Clone();
        badPrevious[13] = 5; // second entry's previous length (first entry: 10..12)
        Assert.Contains("previous-entry length", ReadFails(Start().Key(RdbObjectType.ListZiplist, "l").String(badPrevious).End()).Reason);

        var noEnd = (byte[])ziplist.Clone();
        noEnd[^1] = 0;
        Assert.Contains("terminator", ReadFails(Start().Key(RdbObjectType.ListZiplist, "l").String(noEnd).End()).Reason);
    }

    [Fact]
    public void Intset_errors()
    {
        var badWidth = RdbBytes.Intset(2, 1, 2);
        badWidth[0] = 3;
        Assert.Contains("encoding", ReadFails(Start().Key(RdbObjectType.SetIntset, "s").String(badWidth).End()).Reason);
        var wrongCount = RdbBytes.Intset(2, 1, 2);
        wrongCount[4] = 3;
        Assert.Contains("does not match its size", ReadFails(Start().Key(RdbObjectType.SetIntset, "s").String(wrongCount).End()).Reason);
        Assert.Contains("ascending", ReadFails(Start().Key(RdbObjectType.SetIntset, "s").String(RdbBytes.Intset(2, 2, 1)).End()).Reason);
    }

    [Fact]
    public void Duplicates_odd_pairs_and_nan_scores_are_refused()
    {
        Assert.Equal("duplicate set member", ReadFails(Start().Key(RdbObjectType.Set, "s").Length(2).String("a").String("a").End()).Reason);
        Assert.Equal("duplicate set member", ReadFails(Start().Key(RdbObjectType.SetListpack, "s").String(RdbBytes.Listpack("a", "a")).End()).Reason);
        Assert.Equal("duplicate hash field", ReadFails(Start().Key(RdbObjectType.Hash, "h").Length(2).String("f").String("1").String("f").String("2").End()).Reason);
        Assert.Equal("duplicate hash field", ReadFails(Start().Key(RdbObjectType.HashListpack, "h").String(RdbBytes.Listpack("f", "1", "f", "2")).End()).Reason);
        Assert.Equal("hash field without a value", ReadFails(Start().Key(RdbObjectType.HashZiplist, "h").String(RdbBytes.Ziplist("f", "1", "g")).End()).Reason);
        Assert.Equal("sorted set member without a score", ReadFails(Start().Key(RdbObjectType.ZSetListpack, "z").String(RdbBytes.Listpack("m")).End()).Reason);
        Assert.Equal("invalid sorted set score", ReadFails(Start().Key(RdbObjectType.ZSetListpack, "z").String(RdbBytes.Listpack("m", "abc")).End()).Reason);
        Assert.Equal("sorted set score is NaN", ReadFails(Start().Key(RdbObjectType.ZSet2, "z").Length(1).String("m").Double(double.NaN).End()).Reason);
        Assert.Equal("sorted set score is NaN", ReadFails(Start().Key(RdbObjectType.ZSet, "z").Length(1).String("m").Raw(253).End()).Reason);
        Assert.Equal("duplicate sorted set member", ReadFails(Start().Key(RdbObjectType.ZSet2, "z").Length(2).String("m").Double(1).String("m").Double(2).End()).Reason);
    }

    [Fact]
    public void Zipmap_errors()
    {
        var zipmap = RdbBytes.Zipmap(0, ("f", "v"));
        zipmap[0] = 2;
        Assert.Contains("zipmap header counts", ReadFails(Start().Key(RdbObjectType.HashZipmap, "h").String(zipmap).End()).Reason);
        var truncatedValue = RdbBytes.Zipmap(0, ("f", "v"));
        truncatedValue[3] = 200;
        Assert.Contains("runs past the end", ReadFails(Start().Key(RdbObjectType.HashZipmap, "h").String(truncatedValue).End()).Reason);
    }

    [Fact]
    public void Quicklist_container_and_stream_errors()
    {
        Assert.Contains("container", ReadFails(Start().Key(RdbObjectType.ListQuicklist2, "q").Length(1).Length(3).String("x").End()).Reason);

        var nodeKey = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(nodeKey, 7);
        var node = RdbBytes.Listpack(1L, 0L, 1L, "f", 0L, 2L, 0L, 0L, "v", 4L);
        Assert.Contains("size of a stream ID", ReadFails(Start().Key(RdbObjectType.StreamListpacks2, "s").Length(1).String("short").String(node).End()).Reason);
        Assert.Contains("empty listpack", ReadFails(Start().Key(RdbObjectType.StreamListpacks2, "s").Length(1).String(nodeKey).String(RdbBytes.Listpack()).End()).Reason);
        var wrongLength = Start().Key(RdbObjectType.StreamListpacks, "s").Length(1).String(nodeKey).String(node).Length(2).Length(7).Length(0).Length(0).End();
        Assert.Contains("stream length 2", ReadFails(wrongLength).Reason);
        var badElementCount = RdbBytes.Listpack(1L, 0L, 1L, "f", 0L, 2L, 0L, 0L, "v", 5L);
        Assert.Contains("element count", ReadFails(Start().Key(RdbObjectType.StreamListpacks, "s").Length(1).String(nodeKey).String(badElementCount).Length(1).Length(7).Length(0).Length(0).End()).Reason);
        var unknownPending = new byte[16];
        var orphan = Start().Key(RdbObjectType.StreamListpacks, "s").Length(1).String(nodeKey).String(node).Length(1).Length(7).Length(0)
            .Length(1).String("g").Length(0).Length(0).Length(0).Length(1).String("c").Raw(new byte[8]).Length(1).Raw(unknownPending).End();
        Assert.Contains("not found in the group's pending entries", ReadFails(orphan).Reason);
    }

    [Fact]
    public void Length_out_of_range_and_invalid_encodings()
    {
        Assert.Contains("database index", ReadFails(RdbBytes.Header().Raw(RdbOpcode.SelectDb, 0x81, 1, 0, 0, 0, 0, 0, 0, 0).End()).Reason);
        Assert.Contains("invalid length encoding", ReadFails(Start().Key(RdbObjectType.String, "k").Raw(0x82).End()).Reason);
        Assert.Contains("unknown string encoding", ReadFails(Start().Key(RdbObjectType.String, "k").Raw(0xC4).End()).Reason);
        Assert.Contains("where a length was expected", ReadFails(Start().Key(RdbObjectType.List, "l").Raw(0xC0).End()).Reason);
    }

    [Fact]
    public void A_non_seekable_stream_is_not_read_past_the_checksum()
    {
        var file = SampleFile();
        byte[] trailing = [.. "+CONTINUE and more bytes of the replication stream"u8];
        for (var seed = -1; seed < 20; seed++)
        {
            var stream = new TrickleStream([.. file, .. trailing], seed);
            var reader = new RdbReader(stream, "replication stream");
            var summary = reader.Read(new RecordingHandler());
            Assert.Equal(file.Length, reader.Position);
            Assert.Equal(8, summary.Keys);
            var rest = new MemoryStream();
            stream.CopyTo(rest);
            Assert.Equal(trailing, rest.ToArray());
        }
    }

    public static TheoryData<string> LastKeyKinds() => ["string", "int", "list", "set", "zset", "hash", "stream", "quicklist2", "intset", "ziplist-hash", "zipmap", "function", "module-aux", "version4"];

    [Theory]
    [MemberData(nameof(LastKeyKinds))]
    public void No_read_past_the_end_whatever_comes_last(string kind)
    {
        var file = kind switch
        {
            "quicklist2" => Start().Key(RdbObjectType.ListQuicklist2, "q").Length(2).Length(2).String(RdbBytes.Listpack("a")).Length(1).String("plain").End(),
            "intset" => Start().Key(RdbObjectType.SetIntset, "s").String(RdbBytes.Intset(4, 1, 70000)).End(),
            "ziplist-hash" => Start().Key(RdbObjectType.HashZiplist, "h").String(RdbBytes.Ziplist("f", "v")).End(),
            "zipmap" => Start().Key(RdbObjectType.HashZipmap, "h").String(RdbBytes.Zipmap(1, ("f", "v"))).End(),
            "module-aux" => Start().Raw(RdbOpcode.ModuleAux).Length(1UL << 20).Length(2).Length(2).Length(5).String("x").Length(0).End(),
            "version4" => RdbBytes.Header(4).Key(RdbObjectType.Hash, "h").Length(1).String("f").String("v").Raw(RdbOpcode.Eof).ToArray(),
            _ => WriteOne(kind),
        };
        byte[] trailing = [.. "NEXT"u8];
        var stream = new TrickleStream([.. file, .. trailing], seed: -1);
        var reader = new RdbReader(stream, "replication stream");
        reader.Read(new RecordingHandler());
        Assert.Equal(file.Length, reader.Position);
        var rest = new MemoryStream();
        stream.CopyTo(rest);
        Assert.Equal(trailing, rest.ToArray());
    }

    private static byte[] WriteOne(string kind)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new RdbWriter(buffer, new RdbWriterOptions());
        writer.WriteHeader();
        writer.WriteSelectDb(0);
        switch (kind)
        {
            case "string":
                writer.WriteString("k"u8, "v"u8);
                break;
            case "int":
                writer.WriteString("k"u8, 5);
                break;
            case "list":
                writer.BeginList("k"u8, 2);
                writer.WriteListItem("a"u8);
                writer.WriteListItem(""u8);
                break;
            case "set":
                writer.BeginSet("k"u8, 1);
                writer.WriteSetMember("a"u8);
                break;
            case "zset":
                writer.BeginSortedSet("k"u8, 1);
                writer.WriteSortedSetMember("a"u8, 1);
                break;
            case "hash":
                writer.BeginHash("k"u8, 2);
                writer.WriteHashField("f"u8, ""u8);
                writer.WriteHashField("g"u8, ""u8);
                break;
            case "stream":
                writer.WriteStream("k"u8, new RdbStream { Entries = [], Length = 0, LastId = default, Groups = [] });
                break;
            case "function":
                writer.WriteFunction("#!lua name=x\n"u8);
                break;
        }
        writer.WriteEnd();
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void A_seekable_stream_is_left_right_after_the_checksum()
    {
        var file = SampleFile();
        var stream = new MemoryStream([.. "prefix"u8, .. file, .. "AOF tail"u8]);
        stream.Position = 6;
        var reader = new RdbReader(stream, "preamble");
        reader.Read(new RecordingHandler());
        Assert.Equal(file.Length, reader.Position);
        Assert.Equal(6 + file.Length, stream.Position);
    }

    [Fact]
    public void A_known_length_lets_the_reader_buffer_without_reading_past_it()
    {
        var file = SampleFile();
        byte[] trailing = [.. "after"u8];
        var stream = new TrickleStream([.. file, .. trailing], seed: 1);
        var reader = new RdbReader(stream, "replication stream", file.Length);
        reader.Read(new RecordingHandler());
        var rest = new MemoryStream();
        stream.CopyTo(rest);
        Assert.Equal(trailing, rest.ToArray());
    }

    [Fact]
    public void Writer_allocates_nothing_per_key_once_warm()
    {
        var sink = new ReusingBufferWriter();
        var writer = new RdbWriter(sink, new RdbWriterOptions());
        writer.WriteHeader();
        var value = "a long compressible value value value value value value"u8;
        for (var i = 0; i < 100; i++)
        {
            writer.WriteString("warm"u8, value);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            writer.WriteExpireMs(1_900_000_000_000);
            writer.WriteString("key"u8, value);
            writer.WriteString("n"u8, i);
            writer.BeginHash("h"u8, 1);
            writer.WriteHashField("f"u8, "v"u8);
        }
        writer.WriteEnd();
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
    }

    /// <summary>A non-seekable stream that returns short, irregular reads, as a socket does.</summary>
    private sealed class TrickleStream(byte[] data, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            // A negative seed gives everything asked for, which exposes any read beyond what is needed.
            var n = Math.Min(count, data.Length - _position);
            if (seed >= 0)
            {
                n = Math.Min(n, 1 + _random.Next(40));
            }
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>An output that hands out the same buffer again and again (as a flushed pipe would).</summary>
    private sealed class ReusingBufferWriter : IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[128 * 1024];

        public void Advance(int count) { }

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer;

        public Span<byte> GetSpan(int sizeHint = 0) => _buffer;
    }
}
