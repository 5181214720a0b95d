using System.Buffers;
using System.Globalization;
using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Hosting.CheckTools;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// RDB files against the real redis-server 7.0: dumps it saves are decoded by <see cref="RdbReader"/>,
/// files <see cref="RdbWriter"/> produces pass redis-check-rdb and load into redis-server, and
/// <see cref="CheckRdbTool"/> reports like redis-check-rdb.
/// </summary>
public sealed class RdbFromRedisTests
{
    // A fixed absolute expire time far in the future, so PEXPIREAT and the decoded value match exactly.
    private const long FarExpireMs = 4_102_444_800_000; // 2100-01-01

    private static readonly string CompressibleText = string.Concat(Enumerable.Repeat("compress me ", 10));

    [Fact]
    public async Task Reads_every_type_and_encoding_from_a_redis_dump()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        async Task<RespValue> Run(params object[] args)
        {
            var reply = await connection.ExecuteAsync(args);
            Assert.False(reply.IsError, $"{string.Join(' ', args)}: {reply}");
            return reply;
        }

        var random = new byte[40];
        new Random(11).NextBytes(random);
        var bigItem = new string('L', 100);
        await Run("SET", "str:int", "12345");
        await Run("SET", "str:negative", "-7");
        await Run("SET", "str:wide-int", "123456789012345");
        await Run("SET", "str:embstr", "hello");
        await Run("SET", "str:raw", CompressibleText);
        await Run("SET", "str:random", random);
        await Run("SET", "str:empty", "");
        await Run("RPUSH", "list:small", "a", "b", "1", "-2");
        await Run(["RPUSH", "list:big", .. Enumerable.Range(0, 300).Select(i => (object)$"item-{i}")]);
        await Run(["RPUSH", "list:bigitems", .. Enumerable.Range(0, 200).Select(i => (object)$"{bigItem}{i}")]);
        await Run("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000");
        var plainItem = new string('P', 5000);
        await Run("RPUSH", "list:plain", "before", plainItem, "after");
        await Run("SADD", "set:intset", "3", "1", "2", "-5");
        await Run("SADD", "set:strings", "x", "y", "z");
        await Run(["SADD", "set:bigints", .. Enumerable.Range(0, 600).Select(i => (object)(i * 3).ToString(CultureInfo.InvariantCulture))]);
        await Run("ZADD", "zset:small", "1", "one", "2.5", "two", "-inf", "low");
        await Run(["ZADD", "zset:big", .. Enumerable.Range(0, 200).SelectMany(i => new object[] { (i * 0.5).ToString(CultureInfo.InvariantCulture), $"member-{i}" })]);
        await Run("ZADD", "zset:longmember", "7", new string('m', 80));
        await Run("HSET", "hash:small", "f1", "v1", "f2", "2");
        await Run(["HSET", "hash:big", .. Enumerable.Range(0, 600).SelectMany(i => new object[] { $"field-{i}", $"value-{i}" })]);
        await Run("HSET", "hash:longvalue", "f", new string('h', 100));
        await Run("XADD", "stream", "1-1", "sensor", "a", "value", "10");
        await Run("XADD", "stream", "1-2", "sensor", "b", "value", "20");
        await Run("XADD", "stream", "2-0", "other", "x");
        await Run("XADD", "stream", "3-0", "sensor", "c", "value", "30");
        await Run("XDEL", "stream", "1-2");
        await Run("XGROUP", "CREATE", "stream", "g1", "0");
        await Run("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "stream", ">");
        await Run("XACK", "stream", "g1", "1-1");
        await Run("XGROUP", "CREATECONSUMER", "stream", "g1", "bob");
        await Run("XGROUP", "CREATE", "stream", "g2", "$");
        await Run("SET", "expiring", "v", "PXAT", FarExpireMs.ToString(CultureInfo.InvariantCulture));
        await Run("PEXPIREAT", "hash:small", FarExpireMs + 1);
        await Run("FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 1 end)");
        await Run("SELECT", "3");
        await Run("SET", "db3:key", "three");
        await Run("SELECT", "15");
        await Run("RPUSH", "db15:list", "z");
        await Run("SELECT", "0");

        // The dump must really contain the encodings this test is about.
        var expectedEncodings = new Dictionary<string, string>
        {
            ["str:int"] = "int", ["str:embstr"] = "embstr", ["str:raw"] = "raw", ["list:small"] = "quicklist",
            ["set:intset"] = "intset", ["set:strings"] = "hashtable", ["set:bigints"] = "hashtable",
            ["zset:small"] = "listpack", ["zset:big"] = "skiplist", ["zset:longmember"] = "skiplist",
            ["hash:small"] = "listpack", ["hash:big"] = "hashtable", ["hash:longvalue"] = "hashtable",
        };
        foreach (var (key, encoding) in expectedEncodings)
        {
            Assert.True(encoding == (await Run("OBJECT", "ENCODING", key)).AsString(), $"{key} is not {encoding}");
        }
        await Run("SAVE");

        var handler = new CollectingHandler();
        RdbReadSummary summary;
        await using (var file = File.OpenRead(Path.Combine(redis.Dir, "dump.rdb")))
        {
            summary = new RdbReader(file, "dump.rdb").Read(handler);
        }

        Assert.Equal(10, summary.Version);
        Assert.True(summary.ChecksumVerified);
        Assert.Equal("7.0.15", summary.GetAux("redis-ver"));
        Assert.Equal(handler.Keys.Count, summary.Keys);
        Assert.Equal(2, summary.Expires);
        Assert.Equal([0, 3, 15], handler.Dbs);

        Assert.Equal("12345", handler.String("str:int"));
        Assert.Equal("-7", handler.String("str:negative"));
        Assert.Equal("123456789012345", handler.String("str:wide-int"));
        Assert.Equal("hello", handler.String("str:embstr"));
        Assert.Equal(CompressibleText, handler.String("str:raw"));
        Assert.Equal(random, handler.Get("str:random").Bytes);
        Assert.Equal("", handler.String("str:empty"));
        Assert.Equal(["a", "b", "1", "-2"], handler.Get("list:small").Items);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"item-{i}"), handler.Get("list:big").Items);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{bigItem}{i}"), handler.Get("list:bigitems").Items);
        Assert.Equal(["before", plainItem, "after"], handler.Get("list:plain").Items);
        Assert.Equal(["-5", "1", "2", "3"], handler.Get("set:intset").Items!.Order());
        Assert.Equal(["x", "y", "z"], handler.Get("set:strings").Items!.Order());
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (i * 3).ToString(CultureInfo.InvariantCulture)).Order(), handler.Get("set:bigints").Items!.Order());
        Assert.Equal([("low", double.NegativeInfinity), ("one", 1.0), ("two", 2.5)], handler.Get("zset:small").Scored);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => ($"member-{i}", i * 0.5)).OrderBy(m => m.Item1), handler.Get("zset:big").Scored!.OrderBy(m => m.Member));
        Assert.Equal([(new string('m', 80), 7.0)], handler.Get("zset:longmember").Scored);
        Assert.Equal([("f1", "v1"), ("f2", "2")], handler.Get("hash:small").Pairs);
        Assert.Equal(FarExpireMs + 1, handler.Get("hash:small").Metadata.ExpireAtMs);
        Assert.Equal(Enumerable.Range(0, 600).Select(i => ($"field-{i}", $"value-{i}")).OrderBy(p => p.Item1), handler.Get("hash:big").Pairs!.OrderBy(p => p.Field));
        Assert.Equal([("f", new string('h', 100))], handler.Get("hash:longvalue").Pairs);
        Assert.Equal("v", handler.String("expiring"));
        Assert.Equal(FarExpireMs, handler.Get("expiring").Metadata.ExpireAtMs);
        Assert.Equal(-1, handler.Get("str:int").Metadata.ExpireAtMs);
        Assert.Equal("three", handler.String("db3:key", db: 3));
        Assert.Equal(["z"], handler.Get("db15:list", db: 15).Items);
        Assert.Contains("#!lua name=mylib", Assert.Single(handler.Functions));

        var stream = handler.Get("stream").Stream!;
        Assert.Equal(3UL, stream.Length);
        Assert.Equal([new RdbStreamId(1, 1), new RdbStreamId(2, 0), new RdbStreamId(3, 0)], stream.Entries.Select(e => e.Id));
        Assert.Equal([("sensor", "c"), ("value", "30")], stream.Entries[2].Fields.Select(f => (Text(f.Field), Text(f.Value))));
        Assert.Equal([("other", "x")], stream.Entries[1].Fields.Select(f => (Text(f.Field), Text(f.Value))));
        Assert.Equal(new RdbStreamId(3, 0), stream.LastId);
        Assert.Equal(new RdbStreamId(1, 1), stream.FirstId);
        Assert.Equal(new RdbStreamId(1, 2), stream.MaxDeletedEntryId);
        Assert.Equal(4UL, stream.EntriesAdded);
        Assert.Equal(["g1", "g2"], stream.Groups.Select(g => Text(g.Name)));
        var g1 = stream.Groups[0];
        Assert.Equal(new RdbStreamId(2, 0), g1.LastDeliveredId);
        var pending = Assert.Single(g1.Pending);
        Assert.Equal(new RdbStreamId(2, 0), pending.Id);
        Assert.Equal(1UL, pending.DeliveryCount);
        Assert.Equal("alice", Text(pending.Consumer!));
        Assert.Equal(["alice", "bob"], g1.Consumers.Select(c => Text(c.Name)).Order());
        Assert.Equal(new RdbStreamId(3, 0), stream.Groups[1].LastDeliveredId);
        Assert.Empty(stream.Groups[1].Pending);
    }

    [Fact]
    public async Task Redis_check_rdb_and_redis_server_accept_files_written_by_RdbWriter()
    {
        var dir = Directory.CreateTempSubdirectory("rdbwriter-").FullName;
        try
        {
            var path = Path.Combine(dir, "written.rdb");
            var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var buffer = new ArrayBufferWriter<byte>();
            var writer = new RdbWriter(buffer, new RdbWriterOptions());
            writer.WriteHeader();
            writer.WriteAux("redis-ver", "7.0.15"u8);
            writer.WriteAux("redis-bits", 64);
            writer.WriteAux("ctime", nowMs / 1000);
            writer.WriteFunction("#!lua name=written\nredis.register_function('w', function(keys, args) return 'w' end)"u8);
            writer.WriteSelectDb(0);
            writer.WriteResizeDb(10, 2);
            writer.WriteString("small"u8, "v"u8);
            writer.WriteString("int"u8, 42);
            writer.WriteString("wide"u8, 9_000_000_000);
            writer.WriteString("textint"u8, "-1234"u8);
            writer.WriteString("compressible"u8, Encoding.ASCII.GetBytes(CompressibleText));
            writer.WriteExpireMs(nowMs + 100_000);
            writer.WriteString("ttl"u8, "expires later"u8);
            writer.WriteExpireMs(FarExpireMs);
            writer.BeginList("list"u8, 300);
            for (var i = 0; i < 300; i++)
            {
                writer.WriteListItem(Encoding.ASCII.GetBytes($"item-{i}"));
            }
            writer.BeginSet("set"u8, 3);
            writer.WriteSetMember("1"u8);
            writer.WriteSetMember("two"u8);
            writer.WriteSetMember("3"u8);
            writer.BeginSortedSet("zset"u8, 2);
            writer.WriteSortedSetMember("a"u8, 1.5);
            writer.WriteSortedSetMember("b"u8, double.PositiveInfinity);
            writer.BeginHash("hash"u8, 2);
            writer.WriteHashField("f"u8, "v"u8);
            writer.WriteHashField("n"u8, "7"u8);
            var entries = Enumerable.Range(1, 150).Select(i => new RdbStreamEntry
            {
                Id = new RdbStreamId((ulong)i, 0),
                Fields = [("k"u8.ToArray(), Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture)))],
            }).ToList();
            writer.WriteStream("stream"u8, new RdbStream
            {
                Entries = entries,
                Length = 150,
                LastId = new RdbStreamId(150, 0),
                FirstId = new RdbStreamId(1, 0),
                EntriesAdded = 150,
                Groups =
                [
                    new RdbStreamConsumerGroup
                    {
                        Name = "grp"u8.ToArray(),
                        LastDeliveredId = new RdbStreamId(2, 0),
                        EntriesRead = 2,
                        Pending = [new RdbStreamPendingEntry { Id = new RdbStreamId(2, 0), DeliveryTimeMs = nowMs, DeliveryCount = 1 }],
                        Consumers = [new RdbStreamConsumer { Name = "c"u8.ToArray(), SeenTimeMs = nowMs, Pending = [new RdbStreamId(2, 0)] }],
                    },
                ],
            });
            writer.WriteSelectDb(2);
            writer.WriteString("other-db"u8, "two"u8);
            writer.WriteEnd();
            await File.WriteAllBytesAsync(path, buffer.WrittenMemory.ToArray());

            var check = await RedisTools.RunAsync("redis-check-rdb", [path]);
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("Checksum OK", check.Output);
            Assert.Contains("[info] 12 keys read", check.Output);

            await using var redis = await RedisServerProcess.StartAsync("--dir", dir, "--dbfilename", "written.rdb");
            await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
            Task<RespValue> Run(params object[] args) => connection.ExecuteAsync(args);

            Assert.Equal(11, (await Run("DBSIZE")).AsInt64());
            Assert.Equal("v", (await Run("GET", "small")).AsString());
            Assert.Equal("42", (await Run("GET", "int")).AsString());
            Assert.Equal("9000000000", (await Run("GET", "wide")).AsString());
            Assert.Equal("-1234", (await Run("GET", "textint")).AsString());
            Assert.Equal(CompressibleText, (await Run("GET", "compressible")).AsString());
            Assert.Equal("expires later", (await Run("GET", "ttl")).AsString());
            Assert.InRange((await Run("TTL", "ttl")).AsInt64(), 1, 100);
            Assert.Equal(-1, (await Run("TTL", "small")).AsInt64());
            Assert.Equal(FarExpireMs, (await Run("PEXPIRETIME", "list")).AsInt64());
            Assert.Equal(300, (await Run("LLEN", "list")).AsInt64());
            Assert.Equal("item-299", (await Run("LINDEX", "list", "-1")).AsString());
            Assert.Equal(["1", "3", "two"], (await Run("SMEMBERS", "set")).AsList().Select(v => v.AsString()!).Order());
            Assert.Equal(["a", "1.5", "b", "inf"], (await Run("ZRANGE", "zset", "0", "-1", "WITHSCORES")).AsList().Select(v => v.AsString()));
            Assert.Equal(["f", "v", "n", "7"], (await Run("HGETALL", "hash")).AsList().Select(v => v.AsString()));
            Assert.Equal(150, (await Run("XLEN", "stream")).AsInt64());
            var last = (await Run("XRANGE", "stream", "150-0", "+")).AsList().Single().AsList();
            Assert.Equal("150-0", last[0].AsString());
            Assert.Equal(["k", "150"], last[1].AsList().Select(v => v.AsString()));
            var group = (await Run("XINFO", "GROUPS", "stream")).AsList().Single().AsList().Select(v => v.ToString()).ToList();
            Assert.Equal("\"grp\"", group[group.IndexOf("\"name\"") + 1]);
            Assert.Equal("(integer) 1", group[group.IndexOf("\"pending\"") + 1]);
            Assert.Equal("(integer) 2", group[group.IndexOf("\"entries-read\"") + 1]);
            Assert.Equal("w", (await Run("FCALL", "w", "0")).AsString());
            await Run("SELECT", "2");
            Assert.Equal(1, (await Run("DBSIZE")).AsInt64());
            Assert.Equal("two", (await Run("GET", "other-db")).AsString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Check_rdb_tool_reports_a_redis_dump_like_redis_check_rdb()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using (var connection = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port))
        {
            await connection.ExecuteAsync("SET", "foo", "bar");
            await connection.ExecuteAsync("SET", "e", "v", "EX", "1000");
            await connection.ExecuteAsync("RPUSH", "l", "a", "b", "c");
            await connection.ExecuteAsync("SELECT", "4");
            await connection.ExecuteAsync("HSET", "h", "f", "v");
            await connection.ExecuteAsync("SAVE");
        }
        var path = Path.Combine(redis.Dir, "dump.rdb");

        var expected = await RedisTools.RunAsync("redis-check-rdb", [path]);
        Assert.Equal(0, expected.ExitCode);
        var output = new StringWriter();
        Assert.Equal(0, CheckRdbTool.Run([path], output));
        // Same lines, same offsets: aux fields, database switches, checksum, verdict, counts.
        Assert.Equal(Lines(expected.Output), Lines(output.ToString()));

        // Truncated: both refuse it with the same first lines and the error banner.
        var bytes = await File.ReadAllBytesAsync(path);
        var truncatedPath = Path.Combine(redis.Dir, "truncated.rdb");
        await File.WriteAllBytesAsync(truncatedPath, bytes[..(bytes.Length - 20)]);
        var redisTruncated = await RedisTools.RunAsync("redis-check-rdb", [truncatedPath]);
        output = new StringWriter();
        Assert.Equal(1, CheckRdbTool.Run([truncatedPath], output));
        Assert.Equal(1, redisTruncated.ExitCode);
        var ours = Lines(output.ToString());
        var theirs = Lines(redisTruncated.Output);
        var banner = theirs.IndexOf("--- RDB ERROR DETECTED ---");
        Assert.Equal(theirs[..banner], ours[..ours.IndexOf("--- RDB ERROR DETECTED ---")]);
        Assert.Contains($"[offset {bytes.Length - 20}] unexpected end of file", ours);

        // Corrupted checksum.
        bytes[^1] ^= 0xFF;
        var badCrcPath = Path.Combine(redis.Dir, "badcrc.rdb");
        await File.WriteAllBytesAsync(badCrcPath, bytes);
        output = new StringWriter();
        Assert.Equal(1, CheckRdbTool.Run([badCrcPath], output));
        Assert.Equal(1, (await RedisTools.RunAsync("redis-check-rdb", [badCrcPath])).ExitCode);
        Assert.Contains(Lines(output.ToString()), line => line.StartsWith($"[offset {bytes.Length - 8}] RDB CRC error", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_rdb_tool_usage_and_missing_file()
    {
        var output = new StringWriter();
        Assert.Equal(1, CheckRdbTool.Run([], output));
        Assert.Equal("Usage: silo check-rdb <rdb-file-name>", output.ToString().Trim());

        output = new StringWriter();
        Assert.Equal(1, CheckRdbTool.Run([Path.Combine(Path.GetTempPath(), "no-such-dump.rdb")], output));
        Assert.Contains("can't open the RDB file", output.ToString());
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    private static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private sealed record Decoded(int Db, RdbKeyMetadata Metadata)
    {
        public byte[]? Bytes { get; init; }

        public List<string>? Items { get; init; }

        public List<(string Member, double Score)>? Scored { get; init; }

        public List<(string Field, string Value)>? Pairs { get; init; }

        public RdbStream? Stream { get; init; }
    }

    /// <summary>Copies every decoded key, by database and name.</summary>
    private sealed class CollectingHandler : IRdbHandler
    {
        public Dictionary<(int Db, string Key), Decoded> Keys { get; } = [];

        public List<int> Dbs { get; } = [];

        public List<string> Functions { get; } = [];

        public Decoded Get(string key, int db = 0) => Keys[(db, key)];

        public string String(string key, int db = 0) => Text(Get(key, db).Bytes!);

        public void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
        }

        public void OnSelectDb(int db) => Dbs.Add(db);

        public void OnResizeDb(long keys, long expires)
        {
        }

        public void OnString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in RdbKeyMetadata metadata) =>
            Add(key, new Decoded(metadata.Db, metadata) { Bytes = value.ToArray() });

        public void OnList(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> items, in RdbKeyMetadata metadata) =>
            Add(key, new Decoded(metadata.Db, metadata) { Items = [.. items.Select(Text)] });

        public void OnSet(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> members, in RdbKeyMetadata metadata) =>
            Add(key, new Decoded(metadata.Db, metadata) { Items = [.. members.Select(Text)] });

        public void OnSortedSet(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Member, double Score)> members, in RdbKeyMetadata metadata) =>
            Add(key, new Decoded(metadata.Db, metadata) { Scored = [.. members.Select(m => (Text(m.Member), m.Score))] });

        public void OnHash(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Field, byte[] Value)> fields, in RdbKeyMetadata metadata) =>
            Add(key, new Decoded(metadata.Db, metadata) { Pairs = [.. fields.Select(f => (Text(f.Field), Text(f.Value)))] });

        public void OnStream(ReadOnlySpan<byte> key, RdbStream stream, in RdbKeyMetadata metadata) =>
            Add(key, new Decoded(metadata.Db, metadata) { Stream = stream });

        public void OnFunction(ReadOnlySpan<byte> libraryCode) => Functions.Add(Text(libraryCode.ToArray()));

        public void OnModuleAux(ReadOnlySpan<byte> moduleName)
        {
        }

        private void Add(ReadOnlySpan<byte> key, Decoded decoded) => Keys.Add((decoded.Db, Text(key.ToArray())), decoded);
    }
}
