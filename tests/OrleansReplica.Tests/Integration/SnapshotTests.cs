using System.Text;
using OrleansReplica.Grains.Snapshots;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.Tests.Replication;

namespace OrleansReplica.Tests.Integration;

/// <summary>
/// A snapshot is a consistent cut: whatever is written after the cut, while the snapshot is being
/// serialized, the RDB holds exactly the data of the cut, each key once.
/// </summary>
public sealed class SnapshotTests
{
    private static readonly SnapshotFormat Options = SnapshotFormat.Rdb(new RdbWriterOptions { Compression = true, Checksum = true });

    [Fact]
    public async Task A_snapshot_holds_every_key_value_database_and_expire()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        var expected = new Dictionary<(int, string), (string, long)>();
        for (var i = 0; i < 500; i++)
        {
            await client.ExecuteAsync("SET", $"key:{i}", i % 3 == 0 ? i.ToString() : new string('v', i % 40) + i);
            expected[(0, $"key:{i}")] = (i % 3 == 0 ? i.ToString() : new string('v', i % 40) + i, -1);
        }
        await client.ExecuteAsync("PEXPIREAT", "key:7", "4102444800000");
        expected[(0, "key:7")] = (expected[(0, "key:7")].Item1, 4102444800000);
        await client.ExecuteAsync("SELECT", "5");
        await client.ExecuteAsync("SET", "other", "in db 5");
        expected[(5, "other")] = ("in db 5", -1);

        var snapshot = await KeyspaceSnapshot.TakeAsync(silo.Silo.Grains, silo.Silo.ShardMap.ShardCount, Options, 0);
        var rdb = await WriteAsync(snapshot);

        Assert.Equal(501, snapshot.Keys);
        Assert.Equal(expected, Read(rdb));
    }

    [Fact]
    public async Task Writes_after_the_cut_do_not_reach_the_snapshot()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        var expected = new Dictionary<(int, string), (string, long)>();
        for (var i = 0; i < 2000; i++)
        {
            await client.ExecuteAsync("SET", $"k{i}", $"v{i}");
            expected[(0, $"k{i}")] = ($"v{i}", -1);
        }
        for (var i = 0; i < 50; i++)
        {
            await client.ExecuteAsync("SET", $"counter{i}", "10");
            expected[(0, $"counter{i}")] = ("10", -1);
        }
        await client.ExecuteAsync("SELECT", "1");
        await client.ExecuteAsync("SET", "flushed", "yes");
        expected[(1, "flushed")] = ("yes", -1);
        await client.ExecuteAsync("SELECT", "0");

        var snapshot = await KeyspaceSnapshot.TakeAsync(silo.Silo.Grains, silo.Silo.ShardMap.ShardCount, Options, 0);

        // Every kind of write, all before the snapshot has serialized anything.
        for (var i = 0; i < 2000; i += 2)
        {
            await client.ExecuteAsync("SET", $"k{i}", "changed");
        }
        for (var i = 1; i < 2000; i += 10)
        {
            await client.ExecuteAsync("DEL", $"k{i}");
            await client.ExecuteAsync("EXPIRE", $"k{i + 2}", "100");
            await client.ExecuteAsync("APPEND", $"k{i + 4}", "-appended");
            await client.ExecuteAsync("SETRANGE", $"k{i + 6}", "0", "zz");
        }
        for (var i = 0; i < 50; i++)
        {
            await client.ExecuteAsync("INCRBY", $"counter{i}", "5");
            await client.ExecuteAsync("SET", $"new{i}", "created after the cut");
        }
        await client.ExecuteAsync("RENAME", "k3", "renamed");
        await client.ExecuteAsync("MOVE", "k5", "2");
        await client.ExecuteAsync("SELECT", "1");
        await client.ExecuteAsync("FLUSHDB");
        await client.ExecuteAsync("SET", "flushed", "again");
        await client.ExecuteAsync("SWAPDB", "0", "3");

        var rdb = await WriteAsync(snapshot);
        Assert.Equal(expected, Read(rdb));
    }

    [Fact]
    public async Task Overlapping_snapshots_each_hold_their_own_cut()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "2"));
        var client = await silo.ConnectAsync();
        for (var i = 0; i < 500; i++)
        {
            await client.ExecuteAsync("SET", $"k{i}", "first");
        }
        var first = await KeyspaceSnapshot.TakeAsync(silo.Silo.Grains, silo.Silo.ShardMap.ShardCount, Options, 0);
        for (var i = 0; i < 500; i += 2)
        {
            await client.ExecuteAsync("SET", $"k{i}", "second");
        }
        var second = await KeyspaceSnapshot.TakeAsync(silo.Silo.Grains, silo.Silo.ShardMap.ShardCount, Options, 0);
        for (var i = 0; i < 500; i++)
        {
            await client.ExecuteAsync("APPEND", $"k{i}", "-third");
        }

        var atFirst = Read(await WriteAsync(first));
        var atSecond = Read(await WriteAsync(second));

        Assert.Equal(500, atFirst.Count);
        Assert.All(atFirst.Values, value => Assert.Equal(("first", -1L), value));
        Assert.Equal(500, atSecond.Count);
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal((i % 2 == 0 ? "second" : "first", -1L), atSecond[(0, $"k{i}")]);
        }
    }

    [Fact]
    public async Task Megabytes_of_keys_saved_before_the_walk_reaches_them_are_all_in_the_snapshot()
    {
        // Every key is overwritten before the walk starts, so each one is saved by the write that changes it:
        // hundreds of the saved-key segments, in two databases, with values larger than a segment among them.
        await using var silo = await SiloUnderTest.StartAsync(("shards", "2"));
        var client = await silo.ConnectAsync();
        var expected = new Dictionary<(int, string), (string, long)>();
        foreach (var db in new[] { 0, 3 })
        {
            await client.ExecuteAsync("SELECT", db.ToString());
            for (var i = 0; i < 3000; i++)
            {
                var value = i % 1000 == 7 ? new string('L', 20_000 * (i / 1000 + 1)) : $"{db}:{i}:" + new string('v', 300);
                await client.ExecuteAsync("SET", $"key:{i}", value);
                expected[(db, $"key:{i}")] = (value, -1);
            }
        }

        var snapshot = await KeyspaceSnapshot.TakeAsync(silo.Silo.Grains, silo.Silo.ShardMap.ShardCount, Options, 0);
        foreach (var db in new[] { 0, 3 })
        {
            await client.ExecuteAsync("SELECT", db.ToString());
            for (var i = 0; i < 3000; i++)
            {
                await client.ExecuteAsync("SET", $"key:{i}", "after the cut");
            }
        }

        var rdb = await WriteAsync(snapshot);
        Assert.Equal(expected, Read(rdb));
    }

    [Fact]
    public async Task A_snapshot_written_under_concurrent_writes_equals_the_cut()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "2"));
        var client = await silo.ConnectAsync();
        const int keys = 20_000;
        await SampleWrites.PipelineKeysAsync(client, keys);

        var snapshot = await KeyspaceSnapshot.TakeAsync(silo.Silo.Grains, silo.Silo.ShardMap.ShardCount, Options, 0);
        using var stop = new CancellationTokenSource();
        var writer = await silo.ConnectAsync();
        var writes = Task.Run(async () =>
        {
            var round = 0;
            while (!stop.IsCancellationRequested)
            {
                var batch = new StringBuilder();
                for (var i = 0; i < 200; i++)
                {
                    var key = $"key:{Random.Shared.Next(keys)}";
                    batch.Append(Wire.Multibulk(i % 3 == 0 ? "DEL" : "APPEND", key, $"-{round}"[..(i % 3 == 0 ? 0 : 1)]));
                }
                await writer.SendRawAsync(Wire.Bytes(batch.ToString()));
                for (var i = 0; i < 200; i++)
                {
                    await writer.ReadRawReplyAsync();
                }
                round++;
            }
            return round;
        });
        var rdb = await WriteAsync(snapshot);
        stop.Cancel();
        Assert.True(await writes > 0);

        var read = Read(rdb);
        Assert.Equal(keys, read.Count);
        for (var i = 0; i < keys; i++)
        {
            Assert.Equal(($"value:{i}", -1L), read[(0, $"key:{i}")]);
        }
    }

    private static async Task<byte[]> WriteAsync(KeyspaceSnapshot snapshot)
    {
        using var output = new MemoryStream();
        await snapshot.WriteAsync(output, static writer => writer.WriteAux("redis-ver", "7.0.15"u8));
        Assert.Equal(output.Length, snapshot.BytesWritten);
        return output.ToArray();
    }

    private static Dictionary<(int, string), (string, long)> Read(byte[] rdb)
    {
        var collected = new CollectingHandler();
        var summary = new RdbReader(new MemoryStream(rdb), "snapshot").Read(collected);
        Assert.True(summary.ChecksumVerified);
        return collected.Strings;
    }

    private sealed class CollectingHandler : IRdbHandler
    {
        public Dictionary<(int, string), (string, long)> Strings { get; } = [];

        public void OnString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in RdbKeyMetadata metadata) =>
            Strings.Add((metadata.Db, Encoding.UTF8.GetString(key)), (Encoding.UTF8.GetString(value), metadata.ExpireAtMs));

        public void OnAux(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) { }
        public void OnSelectDb(int db) { }
        public void OnResizeDb(long keys, long expires) { }
        public void OnList(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> items, in RdbKeyMetadata metadata) => throw new InvalidDataException();
        public void OnSet(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> members, in RdbKeyMetadata metadata) => throw new InvalidDataException();
        public void OnSortedSet(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Member, double Score)> members, in RdbKeyMetadata metadata) => throw new InvalidDataException();
        public void OnHash(ReadOnlySpan<byte> key, IReadOnlyList<(byte[] Field, byte[] Value)> fields, in RdbKeyMetadata metadata) => throw new InvalidDataException();
        public void OnStream(ReadOnlySpan<byte> key, RdbStream stream, in RdbKeyMetadata metadata) => throw new InvalidDataException();
        public void OnFunction(ReadOnlySpan<byte> libraryCode) => throw new InvalidDataException();
        public void OnModuleAux(ReadOnlySpan<byte> moduleName) => throw new InvalidDataException();
    }
}
