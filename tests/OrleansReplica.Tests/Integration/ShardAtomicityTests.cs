using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Grains.Keyspace;

namespace OrleansReplica.Tests.Integration;

/// <summary>
/// Keys spread over four shards: hash slots and hash tags place them, multi-key commands and
/// MULTI/EXEC stay atomic across shards, and one connection's commands take effect in order.
/// </summary>
public sealed class ShardAtomicityTests
{
    private const int Shards = 4;

    [Fact]
    public void Keys_hash_to_redis_cluster_slots()
    {
        // Slots published by Redis Cluster (CLUSTER KEYSLOT) for these keys.
        Assert.Equal(12182, HashSlot.Of("foo"u8));
        Assert.Equal(5061, HashSlot.Of("bar"u8));
        Assert.Equal(HashSlot.Of("user1000"u8), HashSlot.Of("{user1000}.following"u8));
        Assert.Equal(HashSlot.Of("user1000"u8), HashSlot.Of("{user1000}.followers"u8));
        // An empty tag does not count: the whole key is hashed.
        Assert.NotEqual(HashSlot.Of("{}a"u8), HashSlot.Of("{}b"u8));
    }

    [Fact]
    public async Task Slots_map_to_shards_and_hash_tags_share_a_shard()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var map = silo.Silo.ShardMap;
        Assert.Equal(Shards, map.ShardCount);
        Assert.Equal(0, map.ShardOfSlot(0));
        Assert.Equal(Shards - 1, map.ShardOfSlot(HashSlot.Count - 1));
        for (var slot = 1; slot < HashSlot.Count; slot++)
        {
            // Contiguous ranges: the shard never decreases as the slot grows.
            Assert.True(map.ShardOfSlot(slot) >= map.ShardOfSlot(slot - 1));
        }
        var shardsSeen = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var tag = $"tag{i}";
            var shard = map.ShardOf(Encoding.UTF8.GetBytes($"{{{tag}}}:a"));
            Assert.Equal(shard, map.ShardOf(Encoding.UTF8.GetBytes($"{{{tag}}}:b")));
            Assert.Equal(shard, map.ShardOf(Encoding.UTF8.GetBytes(tag)));
            shardsSeen.Add(shard);
        }
        Assert.Equal(Shards, shardsSeen.Count);
    }

    [Fact]
    public async Task Mset_mget_del_work_across_shards()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var keys = KeysOverShards(silo, perShard: 2);
        var client = await silo.ConnectAsync();
        var mset = new List<object> { "MSET" };
        foreach (var key in keys)
        {
            mset.Add(key);
            mset.Add("v-" + key);
        }
        Assert.Equal("+OK\r\n", await client.RawAsync([.. mset]));
        var values = (await client.ExecuteAsync(["MGET", .. keys, "missing"])).AsList();
        Assert.Equal(keys.Length + 1, values.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal("v-" + keys[i], values[i].AsString());
        }
        Assert.True(values[^1].IsNull);
        Assert.Equal(keys.Length, (await client.ExecuteAsync(["EXISTS", .. keys])).AsInt64());
        Assert.Equal(keys.Length, (await client.ExecuteAsync("DBSIZE")).AsInt64());
        Assert.Equal(keys.Length, (await client.ExecuteAsync(["DEL", .. keys, "missing"])).AsInt64());
        Assert.Equal(0, (await client.ExecuteAsync("DBSIZE")).AsInt64());
        Assert.All((await client.ExecuteAsync(["MGET", .. keys])).AsList(), value => Assert.True(value.IsNull));
    }

    [Fact]
    public async Task Mset_is_atomic_across_shards_for_concurrent_mget()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var keys = KeysOverShards(silo, perShard: 2);
        var writer = await silo.ConnectAsync();
        const int rounds = 1500;
        using var done = new CancellationTokenSource();
        var readers = new List<Task<int>>();
        for (var r = 0; r < 3; r++)
        {
            var reader = await silo.ConnectAsync();
            readers.Add(ReadUntilDoneAsync(reader, keys, done.Token));
        }
        try
        {
            for (var i = 1; i <= rounds; i++)
            {
                var mset = new List<object> { "MSET" };
                foreach (var key in keys)
                {
                    mset.Add(key);
                    mset.Add(i);
                }
                Assert.Equal("+OK\r\n", await writer.RawAsync([.. mset]));
            }
        }
        finally
        {
            done.Cancel();
        }
        var reads = await Task.WhenAll(readers);
        Assert.All(reads, count => Assert.True(count > 0));
        var final = (await writer.ExecuteAsync(["MGET", .. keys])).AsList();
        Assert.All(final, value => Assert.Equal(rounds.ToString(), value.AsString()));
    }

    [Fact]
    public async Task Multi_exec_is_atomic_across_shards_for_concurrent_mget()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var keys = KeysOverShards(silo, perShard: 2);
        var writer = await silo.ConnectAsync();
        const int rounds = 600;
        using var done = new CancellationTokenSource();
        var readers = new List<Task<int>>();
        for (var r = 0; r < 3; r++)
        {
            var reader = await silo.ConnectAsync();
            readers.Add(ReadUntilDoneAsync(reader, keys, done.Token));
        }
        try
        {
            for (var i = 1; i <= rounds; i++)
            {
                Assert.Equal("+OK\r\n", await writer.RawAsync("MULTI"));
                foreach (var key in keys)
                {
                    Assert.Equal("+QUEUED\r\n", await writer.RawAsync("INCR", key));
                }
                var results = (await writer.ExecuteAsync("EXEC")).AsList();
                Assert.Equal(keys.Length, results.Count);
                Assert.All(results, value => Assert.Equal(i, value.AsInt64()));
            }
        }
        finally
        {
            done.Cancel();
        }
        var reads = await Task.WhenAll(readers);
        Assert.All(reads, count => Assert.True(count > 0));
        var final = (await writer.ExecuteAsync(["MGET", .. keys])).AsList();
        Assert.All(final, value => Assert.Equal(rounds.ToString(), value.AsString()));
    }

    [Fact]
    public async Task Pipelined_commands_of_one_connection_take_effect_in_order()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var keys = KeysOverShards(silo, perShard: 1);
        var client = await silo.ConnectAsync();
        const int rounds = 500;
        var pipeline = new StringBuilder();
        for (var i = 0; i < rounds; i++)
        {
            // Each write goes to a different shard than the read that follows it.
            pipeline.Append(Wire.Multibulk("SET", "x", i.ToString()));
            pipeline.Append(Wire.Multibulk("GET", "x"));
            pipeline.Append(Wire.Multibulk("SET", keys[i % keys.Length], i.ToString()));
            pipeline.Append(Wire.Multibulk("MGET", keys[i % keys.Length], "x"));
            pipeline.Append(Wire.Multibulk("INCR", keys[(i + 1) % keys.Length] + ":n"));
        }
        await client.SendRawAsync(Wire.Bytes(pipeline.ToString()));
        var counters = new long[keys.Length];
        for (var i = 0; i < rounds; i++)
        {
            var value = i.ToString();
            Assert.Equal("+OK\r\n", Wire.Text(await client.ReadRawReplyAsync()));
            Assert.Equal($"${value.Length}\r\n{value}\r\n", Wire.Text(await client.ReadRawReplyAsync()));
            Assert.Equal("+OK\r\n", Wire.Text(await client.ReadRawReplyAsync()));
            var both = (await client.ReadReplyAsync()).AsList();
            Assert.Equal([value, value], both.Select(v => v.AsString()));
            var counter = (i + 1) % keys.Length;
            Assert.Equal(++counters[counter], (await client.ReadReplyAsync()).AsInt64());
        }
        Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Pipelines_of_several_connections_sharing_a_shard_all_complete()
    {
        // A batch keeps a shard's turn between its consecutive commands on that shard: other
        // connections, all-shard commands and transactions in the same pipelines must still get through.
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"), ("io-threads", "2"));
        const int clients = 6;
        const int rounds = 300;
        var pipeline = new StringBuilder();
        for (var i = 0; i < rounds; i++)
        {
            pipeline.Append(Wire.Multibulk("INCR", "hot"));
            pipeline.Append(Wire.Multibulk("INCR", "hot"));
            pipeline.Append(Wire.Multibulk("GET", "hot"));
            if (i % 50 == 0)
            {
                pipeline.Append(Wire.Multibulk("DBSIZE"));
                pipeline.Append(Wire.Multibulk("MULTI"));
                pipeline.Append(Wire.Multibulk("INCR", "hot"));
                pipeline.Append(Wire.Multibulk("EXEC"));
            }
        }
        var bytes = Wire.Bytes(pipeline.ToString());
        var repliesPerClient = rounds * 3 + rounds / 50 * 4;
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => silo.ConnectAsync()));
        await Task.WhenAll(connections.Select(async connection =>
        {
            await connection.SendRawAsync(bytes);
            for (var i = 0; i < repliesPerClient; i++)
            {
                await connection.ReadRawReplyAsync().WaitAsync(Wire.ConditionTimeout);
            }
        }));
        var expected = clients * (rounds * 2 + rounds / 50);
        Assert.Equal(expected, (await connections[0].ExecuteAsync("GET", "hot")).AsInt64());
    }

    /// <summary>Reads all keys with MGET until cancelled; every read must see one value on every key.</summary>
    private static async Task<int> ReadUntilDoneAsync(RedisConnection reader, string[] keys, CancellationToken done)
    {
        var reads = 0;
        while (!done.IsCancellationRequested || reads == 0)
        {
            var values = (await reader.ExecuteAsync(["MGET", .. keys])).AsList().Select(v => v.AsString()).ToArray();
            Assert.True(values.Distinct().Count() == 1, $"MGET saw a partial write: {string.Join(",", values.Select(v => v ?? "(nil)"))}");
            reads++;
        }
        return reads;
    }

    /// <summary>Keys chosen so that each shard holds <paramref name="perShard"/> of them.</summary>
    private static string[] KeysOverShards(SiloUnderTest silo, int perShard)
    {
        var map = silo.Silo.ShardMap;
        var perShardKeys = new List<string>[map.ShardCount];
        for (var s = 0; s < perShardKeys.Length; s++)
        {
            perShardKeys[s] = [];
        }
        for (var i = 0; perShardKeys.Any(list => list.Count < perShard); i++)
        {
            var key = $"k{i}";
            var list = perShardKeys[map.ShardOf(Encoding.UTF8.GetBytes(key))];
            if (list.Count < perShard)
            {
                list.Add(key);
            }
        }
        // Interleave shards so neighbours in the argument list live in different shards.
        return Enumerable.Range(0, perShard).SelectMany(i => perShardKeys.Select(list => list[i])).ToArray();
    }
}
