using System.Buffers.Binary;
using System.Text;
using OrleansReplica.Protocol.Rdb;

namespace OrleansReplica.Protocol.Tests.Rdb;

/// <summary>Each encoding the reader must decode, from bytes built by hand.</summary>
public sealed class RdbEncodingTests
{
    private static RdbBytes Start(int version = 10) => RdbBytes.Header(version).Raw(RdbOpcode.SelectDb, 0);

    [Fact]
    public void Reads_a_dump_written_by_redis_7()
    {
        var file = Convert.FromHexString(
            "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d65" +
            "c28350016bfa08757365642d6d656dc250b70e00fa08616f662d62617365c000fe00fb0401fc950924fda101000000016501" +
            "7600016ec1393012016c010210100000000300816102816202816302ff0003666f6f03626172ffe3170286b2c0e50b");
        var (handler, summary) = RdbBytes.Read(file);

        Assert.Equal(10, summary.Version);
        Assert.True(summary.ChecksumVerified);
        Assert.Equal(4, summary.Keys);
        Assert.Equal(1, summary.Expires);
        Assert.Equal(file.Length, summary.Length);
        Assert.Equal("7.0.15", summary.GetAux("redis-ver"));
        Assert.Equal("64", summary.GetAux("redis-bits"));
        Assert.Equal(("redis-ver", "7.0.15"), handler.Aux[0]);
        Assert.Equal([0], handler.SelectedDbs);
        Assert.Equal([(4L, 1L)], handler.Resizes);
        Assert.Equal("v", handler["e"].String);
        Assert.Equal(0x1a1fd240995L, handler["e"].Metadata.ExpireAtMs);
        Assert.Equal("12345", handler["n"].String);
        Assert.Equal(-1, handler["n"].Metadata.ExpireAtMs);
        Assert.Equal(["a", "b", "c"], handler["l"].Items!);
        Assert.Equal("bar", handler["foo"].String);
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0x7F }, "127")]
    [InlineData(new byte[] { 0xC0, 0x80 }, "-128")]
    [InlineData(new byte[] { 0xC1, 0x39, 0x30 }, "12345")]
    [InlineData(new byte[] { 0xC1, 0x00, 0x80 }, "-32768")]
    [InlineData(new byte[] { 0xC2, 0xFF, 0xFF, 0xFF, 0x7F }, "2147483647")]
    [InlineData(new byte[] { 0xC2, 0x00, 0x00, 0x00, 0x80 }, "-2147483648")]
    [InlineData(new byte[] { 0x03, (byte)'a', (byte)'b', (byte)'c' }, "abc")]
    [InlineData(new byte[] { 0x00 }, "")]
    [InlineData(new byte[] { 0xC3, 0x09, 0x32, 0x01, 0x61, 0x61, 0xE0, 0x25, 0x00, 0x01, 0x61, 0x61 }, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void String_encodings(byte[] encoded, string expected)
    {
        var file = Start().Key(RdbObjectType.String, "k").Raw(encoded).End();
        Assert.Equal(expected, RdbBytes.Read(file).Handler["k"].String);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(100_000)]
    public void Length_encodings_of_6_14_and_32_bits(int length)
    {
        var value = new string('v', length);
        var file = Start().Key(RdbObjectType.String, "k").String(value).End();
        Assert.Equal(value, RdbBytes.Read(file).Handler["k"].String);
    }

    [Fact]
    public void Sixty_four_bit_length_encoding()
    {
        var file = Start().Key(RdbObjectType.String, "k").Raw(0x81, 0, 0, 0, 0, 0, 0, 0, 3).Raw("xyz"u8.ToArray()).End();
        Assert.Equal("xyz", RdbBytes.Read(file).Handler["k"].String);
    }

    [Fact]
    public void Integer_encoded_keys_arrive_as_text()
    {
        var file = Start().Raw(RdbObjectType.String, 0xC0, 0x05).String("five").End();
        Assert.Equal("five", RdbBytes.Read(file).Handler["5"].String);
    }

    [Fact]
    public void Expire_in_seconds_and_milliseconds_idle_and_frequency()
    {
        var file = Start()
            .Raw(RdbOpcode.ExpireTime).Raw(BitConverter.GetBytes(1_700_000_000)).Key(RdbObjectType.String, "s").String("1")
            .Raw(RdbOpcode.ExpireTimeMs).Raw(BitConverter.GetBytes(1_700_000_000_123L)).Key(RdbObjectType.String, "ms").String("2")
            .Raw(RdbOpcode.Idle).Length(1234).Key(RdbObjectType.String, "idle").String("3")
            .Raw(RdbOpcode.Freq, 42).Key(RdbObjectType.String, "freq").String("4")
            .Key(RdbObjectType.String, "none").String("5")
            .End();
        var (handler, summary) = RdbBytes.Read(file);
        Assert.Equal(new RdbKeyMetadata(0, 1_700_000_000_000, -1, -1), handler["s"].Metadata);
        Assert.Equal(new RdbKeyMetadata(0, 1_700_000_000_123, -1, -1), handler["ms"].Metadata);
        Assert.Equal(new RdbKeyMetadata(0, -1, 1234, -1), handler["idle"].Metadata);
        Assert.Equal(new RdbKeyMetadata(0, -1, -1, 42), handler["freq"].Metadata);
        Assert.Equal(new RdbKeyMetadata(0, -1, -1, -1), handler["none"].Metadata);
        Assert.Equal(5, summary.Keys);
        Assert.Equal(2, summary.Expires);
    }

    [Fact]
    public void Select_db_and_resize_db()
    {
        var file = RdbBytes.Header()
            .Raw(RdbOpcode.SelectDb, 0).Raw(RdbOpcode.ResizeDb).Length(1).Length(0).Key(RdbObjectType.String, "a").String("0")
            .Raw(RdbOpcode.SelectDb).Length(300).Raw(RdbOpcode.ResizeDb).Length(70000).Length(5).Key(RdbObjectType.String, "a").String("300")
            .End();
        var (handler, _) = RdbBytes.Read(file);
        Assert.Equal([0, 300], handler.SelectedDbs);
        Assert.Equal([(1L, 0L), (70000L, 5L)], handler.Resizes);
        Assert.Equal("0", handler["a", 0].String);
        Assert.Equal("300", handler["a", 300].String);
    }

    [Fact]
    public void Plain_list_set_hash_and_zsets()
    {
        var file = Start()
            .Key(RdbObjectType.List, "list").Length(3).String("a").String("b").Raw(0xC0, 7)
            .Key(RdbObjectType.Set, "set").Length(2).String("x").String("y")
            .Key(RdbObjectType.Hash, "hash").Length(2).String("f1").String("v1").String("f2").Raw(0xC1, 0x00, 0x01)
            .Key(RdbObjectType.ZSet, "zset1").Length(3).String("m1").TextScore(1.5).String("m2").TextScore(double.PositiveInfinity).String("m3").TextScore(double.NegativeInfinity)
            .Key(RdbObjectType.ZSet2, "zset2").Length(2).String("a").Double(-0.25).String("b").Double(1e300)
            .End();
        var (handler, _) = RdbBytes.Read(file);
        Assert.Equal(["a", "b", "7"], handler["list"].Items!);
        Assert.Equal(["x", "y"], handler["set"].Items!);
        Assert.Equal([("f1", "v1"), ("f2", "256")], handler["hash"].Pairs!);
        Assert.Equal([("m1", 1.5), ("m2", double.PositiveInfinity), ("m3", double.NegativeInfinity)], handler["zset1"].Scored!);
        Assert.Equal([("a", -0.25), ("b", 1e300)], handler["zset2"].Scored!);
    }

    [Fact]
    public void Ziplist_list_with_every_entry_encoding()
    {
        var entries = new object[]
        {
            "short", new string('m', 100), new string('L', 20000), 0L, 12L, 13L, -1L, 127L, -128L, 300L, -32768L,
            8_000_000L, -8_388_608L, 2_000_000_000L, -2_147_483_648L, 5_000_000_000L, long.MinValue, long.MaxValue,
        };
        var file = Start().Key(RdbObjectType.ListZiplist, "l").String(RdbBytes.Ziplist(entries)).End();
        var items = RdbBytes.Read(file).Handler["l"].Items!;
        Assert.Equal(entries.Select(e => e is long v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : (string)e), items);
    }

    [Fact]
    public void Ziplist_with_a_large_previous_entry_length()
    {
        // An entry after one of 300 bytes stores its previous length in 5 bytes.
        var file = Start().Key(RdbObjectType.ListZiplist, "l").String(RdbBytes.Ziplist(new string('p', 300), "after", 5L)).End();
        Assert.Equal([new string('p', 300), "after", "5"], RdbBytes.Read(file).Handler["l"].Items!);
    }

    [Fact]
    public void Quicklist_of_ziplists()
    {
        var file = Start().Key(RdbObjectType.ListQuicklist, "q").Length(3)
            .String(RdbBytes.Ziplist("a", 1L))
            .String(RdbBytes.Ziplist())
            .String(RdbBytes.Ziplist("b", "c"))
            .End();
        Assert.Equal(["a", "1", "b", "c"], RdbBytes.Read(file).Handler["q"].Items!);
    }

    [Fact]
    public void Quicklist2_with_packed_and_plain_nodes()
    {
        var big = new string('P', 5000);
        var file = Start().Key(RdbObjectType.ListQuicklist2, "q").Length(3)
            .Length(2).String(RdbBytes.Listpack("a", 1L, -5000L))
            .Length(1).String(big)
            .Length(2).String(RdbBytes.Listpack("z"))
            .End();
        Assert.Equal(["a", "1", "-5000", big, "z"], RdbBytes.Read(file).Handler["q"].Items!);
    }

    [Fact]
    public void Listpack_with_every_entry_encoding()
    {
        var entries = new object[]
        {
            "", "s", new string('m', 63), new string('n', 64), new string('x', 4095), new string('y', 4096), new string('B', 70000),
            0L, 127L, 128L, -1L, 4095L, -4096L, 4096L, 32767L, -32768L, 8_388_607L, -8_388_608L, 8_388_608L, (long)int.MaxValue, (long)int.MinValue,
            (long)int.MaxValue + 1, long.MaxValue, long.MinValue,
        };
        var file = Start().Key(RdbObjectType.ListQuicklist2, "l").Length(1).Length(2).String(RdbBytes.Listpack(entries)).End();
        Assert.Equal(entries.Select(e => e is long v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : (string)e), RdbBytes.Read(file).Handler["l"].Items!);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Intset_of_each_width(int width)
    {
        long[] values = width switch
        {
            2 => [-32768, -1, 0, 5, 32767],
            4 => [int.MinValue, -70000, 0, 70000, int.MaxValue],
            _ => [long.MinValue, -1, 0, 1L << 40, long.MaxValue],
        };
        var file = Start().Key(RdbObjectType.SetIntset, "s").String(RdbBytes.Intset(width, values)).End();
        Assert.Equal(values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)), RdbBytes.Read(file).Handler["s"].Items!);
    }

    [Fact]
    public void Set_listpack()
    {
        var file = Start().Key(RdbObjectType.SetListpack, "s").String(RdbBytes.Listpack("a", 10L, "b")).End();
        Assert.Equal(["a", "10", "b"], RdbBytes.Read(file).Handler["s"].Items!);
    }

    [Fact]
    public void Zset_ziplist_and_listpack_with_integer_and_text_scores()
    {
        var file = Start()
            .Key(RdbObjectType.ZSetZiplist, "zz").String(RdbBytes.Ziplist("a", 1L, "b", "2.5", "c", "inf", "d", "-inf"))
            .Key(RdbObjectType.ZSetListpack, "zl").String(RdbBytes.Listpack("x", -3L, "y", "1e+20", "z", "0.10000000000000001"))
            .End();
        var (handler, _) = RdbBytes.Read(file);
        Assert.Equal([("a", 1.0), ("b", 2.5), ("c", double.PositiveInfinity), ("d", double.NegativeInfinity)], handler["zz"].Scored!);
        Assert.Equal([("x", -3.0), ("y", 1e20), ("z", 0.1)], handler["zl"].Scored!);
    }

    [Fact]
    public void Hash_zipmap_ziplist_and_listpack()
    {
        var longValue = new string('w', 300);
        var file = Start()
            .Key(RdbObjectType.HashZipmap, "hz").String(RdbBytes.Zipmap(2, ("f1", "v1"), ("f2", longValue)))
            .Key(RdbObjectType.HashZiplist, "hzl").String(RdbBytes.Ziplist("a", "1", "b", 2L))
            .Key(RdbObjectType.HashListpack, "hlp").String(RdbBytes.Listpack("c", "3", "d", 40000L))
            .End();
        var (handler, _) = RdbBytes.Read(file);
        Assert.Equal([("f1", "v1"), ("f2", longValue)], handler["hz"].Pairs!);
        Assert.Equal([("a", "1"), ("b", "2")], handler["hzl"].Pairs!);
        Assert.Equal([("c", "3"), ("d", "40000")], handler["hlp"].Pairs!);
    }

    [Fact]
    public void Blobs_compressed_with_lzf_are_decoded()
    {
        var ziplist = RdbBytes.Ziplist(Enumerable.Range(0, 50).Select(i => (object)"item").ToArray());
        var compressed = new byte[ziplist.Length];
        var length = Lzf.Compress(ziplist, compressed);
        Assert.True(length > 0);
        var file = Start().Key(RdbObjectType.ListZiplist, "l").Raw(0xC3).Length((ulong)length).Length((ulong)ziplist.Length).Raw(compressed.AsSpan(0, length).ToArray()).End();
        Assert.Equal(Enumerable.Repeat("item", 50), RdbBytes.Read(file).Handler["l"].Items!);
    }

    [Fact]
    public void Empty_collections_are_skipped_as_redis_does()
    {
        var file = Start()
            .Key(RdbObjectType.Set, "empty-set").Length(0)
            .Key(RdbObjectType.ListQuicklist2, "empty-list").Length(1).Length(2).String(RdbBytes.Listpack())
            .Key(RdbObjectType.String, "kept").String("v")
            .End();
        var (handler, summary) = RdbBytes.Read(file);
        Assert.Equal(["kept"], handler.Keys.Select(k => k.Key));
        Assert.Equal(1, summary.Keys);
        Assert.Equal(2, summary.EmptyKeysSkipped);
    }

    [Fact]
    public void Stream_v2_with_groups_consumers_and_pending_entries()
    {
        // Node with master 1000-0 and fields (f1, f2); entries 1000-0 {f1:a, f2:b} (same fields),
        // 1000-1 deleted, 1005-0 {other: 7}.
        var node = RdbBytes.Listpack(
            2L, 1L, 2L, "f1", "f2", 0L,
            2L, 0L, 0L, "a", "b", 5L,
            3L, 0L, 1L, "c", "d", 5L,
            0L, 5L, 0L, 1L, "other", 7L, 6L);
        var nodeKey = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(nodeKey, 1000);
        var id1 = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(id1, 1000);
        var file = Start().Key(RdbObjectType.StreamListpacks2, "s")
            .Length(1).String(nodeKey).String(node)
            .Length(2).Length(1005).Length(0) // length, last id
            .Length(1000).Length(0).Length(1000).Length(1).Length(3) // first id, max deleted id, entries added
            .Length(1).String("g1").Length(1000).Length(0).Length(1) // group g1, last delivered 1000-0, entries read 1
            .Length(1).Raw(id1).Raw(BitConverter.GetBytes(1_700_000_000_000L)).Length(2) // PEL: 1000-0, delivered twice
            .Length(2).String("alice").Raw(BitConverter.GetBytes(1_700_000_000_500L)).Length(1).Raw(id1)
            .String("bob").Raw(BitConverter.GetBytes(1_700_000_000_600L)).Length(0)
            .End();
        var stream = RdbBytes.Read(file).Handler["s"].Stream!;
        Assert.Equal(2UL, stream.Length);
        Assert.Equal(new RdbStreamId(1005, 0), stream.LastId);
        Assert.Equal(new RdbStreamId(1000, 0), stream.FirstId);
        Assert.Equal(new RdbStreamId(1000, 1), stream.MaxDeletedEntryId);
        Assert.Equal(3UL, stream.EntriesAdded);
        Assert.Equal([new RdbStreamId(1000, 0), new RdbStreamId(1005, 0)], stream.Entries.Select(e => e.Id));
        Assert.Equal([("f1", "a"), ("f2", "b")], stream.Entries[0].Fields.Select(f => (RecordingHandler.Text(f.Field), RecordingHandler.Text(f.Value))));
        Assert.Equal([("other", "7")], stream.Entries[1].Fields.Select(f => (RecordingHandler.Text(f.Field), RecordingHandler.Text(f.Value))));
        var group = Assert.Single(stream.Groups);
        Assert.Equal("g1", RecordingHandler.Text(group.Name));
        Assert.Equal(new RdbStreamId(1000, 0), group.LastDeliveredId);
        Assert.Equal(1, group.EntriesRead);
        var pending = Assert.Single(group.Pending);
        Assert.Equal(new RdbStreamId(1000, 0), pending.Id);
        Assert.Equal(1_700_000_000_000L, pending.DeliveryTimeMs);
        Assert.Equal(2UL, pending.DeliveryCount);
        Assert.Equal("alice", RecordingHandler.Text(pending.Consumer!));
        Assert.Equal(["alice", "bob"], group.Consumers.Select(c => RecordingHandler.Text(c.Name)));
        Assert.Equal(1_700_000_000_500L, group.Consumers[0].SeenTimeMs);
        Assert.Equal(-1, group.Consumers[0].ActiveTimeMs);
        Assert.Equal([new RdbStreamId(1000, 0)], group.Consumers[0].Pending);
        Assert.Empty(group.Consumers[1].Pending);
    }

    [Fact]
    public void Stream_v1_computes_first_id_and_entries_added_and_v3_reads_active_time()
    {
        var node = RdbBytes.Listpack(1L, 0L, 1L, "f", 0L, 2L, 0L, 0L, "v", 4L);
        var nodeKey = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(nodeKey, 7);
        var v1 = Start().Key(RdbObjectType.StreamListpacks, "s")
            .Length(1).String(nodeKey).String(node).Length(1).Length(7).Length(0)
            .Length(1).String("g").Length(0).Length(0).Length(0).Length(0)
            .End();
        var stream = RdbBytes.Read(v1).Handler["s"].Stream!;
        Assert.Equal(new RdbStreamId(7, 0), stream.FirstId);
        Assert.Equal(1UL, stream.EntriesAdded);
        Assert.Equal(-1, stream.Groups[0].EntriesRead);

        var v3 = Start().Key(RdbObjectType.StreamListpacks3, "s")
            .Length(1).String(nodeKey).String(node).Length(1).Length(7).Length(0)
            .Length(7).Length(0).Length(0).Length(0).Length(1)
            .Length(1).String("g").Length(0).Length(0).Raw(0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF).Length(0)
            .Length(1).String("c").Raw(BitConverter.GetBytes(11L)).Raw(BitConverter.GetBytes(22L)).Length(0)
            .End();
        stream = RdbBytes.Read(v3).Handler["s"].Stream!;
        Assert.Equal(-1, stream.Groups[0].EntriesRead);
        Assert.Equal(11, stream.Groups[0].Consumers[0].SeenTimeMs);
        Assert.Equal(22, stream.Groups[0].Consumers[0].ActiveTimeMs);
    }

    [Fact]
    public void Empty_stream_is_delivered()
    {
        var file = Start().Key(RdbObjectType.StreamListpacks2, "s").Length(0).Length(0).Length(5).Length(1)
            .Length(0).Length(0).Length(5).Length(1).Length(3).Length(0).End();
        var stream = RdbBytes.Read(file).Handler["s"].Stream!;
        Assert.Empty(stream.Entries);
        Assert.Equal(new RdbStreamId(5, 1), stream.LastId);
    }

    [Fact]
    public void Function2_and_module_aux()
    {
        var code = "#!lua name=mylib\nredis.register_function('f', function() return 1 end)";
        // Module ID: name "mymodule1" (6 bits per char, charset A-Za-z0-9-_) and encoding version 3 in the low 10 bits.
        const string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        ulong id = 0;
        foreach (var c in "mymodule1")
        {
            id = (id << 6) + (ulong)charset.IndexOf(c);
        }
        id = (id << 10) | 3;
        var file = Start()
            .Raw(RdbOpcode.Function2).String(code)
            .Raw(RdbOpcode.ModuleAux).Length(id).Length(2).Length(2) // when opcode (uint), when = after keys
            .Length(1).Length(5).Length(2).Length(77).Length(3).Raw(0, 0, 128, 63).Length(4).Double(2.5).Length(5).String("payload").Length(0)
            .Key(RdbObjectType.String, "k").String("v")
            .End();
        var (handler, _) = RdbBytes.Read(file);
        Assert.Equal([code], handler.Functions);
        Assert.Equal(["mymodule1"], handler.ModuleAux);
        Assert.Equal("v", handler["k"].String);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(9)]
    public void Older_versions_are_accepted_and_those_before_5_have_no_checksum(int version)
    {
        var bytes = Start(version).Key(RdbObjectType.String, "k").String("v").Raw(RdbOpcode.Eof);
        var file = version >= 5 ? bytes.Raw(new byte[8]).ToArray() : bytes.ToArray();
        var (handler, summary) = RdbBytes.Read(file);
        Assert.Equal(version, summary.Version);
        Assert.False(summary.ChecksumVerified);
        Assert.Equal("v", handler["k"].String);
    }

    [Fact]
    public void Aux_values_may_be_integer_encoded()
    {
        var file = RdbBytes.Header().Raw(RdbOpcode.Aux).String("redis-bits").Raw(0xC0, 64).End();
        var (handler, summary) = RdbBytes.Read(file);
        Assert.Equal([("redis-bits", "64")], handler.Aux);
        Assert.Equal(new RdbAuxField("redis-bits", "64"), Assert.Single(summary.AuxFields));
        Assert.Equal(0, summary.Keys);
        _ = Encoding.ASCII;
    }
}
