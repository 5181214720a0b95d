using OrleansReplica.Client;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Integration;

/// <summary>
/// DEBUG DIGEST depends only on the data: equal whatever the shard count and write order, and
/// equal to a real redis-server's digest of the same data.
/// </summary>
public sealed class DigestTests
{
    private static readonly string EmptyDigest = new('0', 40);

    [Fact]
    public async Task Digest_is_equal_across_shard_counts_write_orders_and_redis()
    {
        var script = BuildScript();
        await using var redis = await RedisServerProcess.StartAsync();
        await using var oneShard = await SiloUnderTest.StartAsync(("shards", "1"));
        await using var fourShards = await SiloUnderTest.StartAsync(("shards", "4"));
        await using var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        var oneShardClient = await oneShard.ConnectAsync();
        var fourShardsClient = await fourShards.ConnectAsync();

        foreach (var client in new[] { redisClient, oneShardClient, fourShardsClient })
        {
            Assert.Equal(EmptyDigest, (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString());
        }

        await ApplyAsync(redisClient, script);
        await ApplyAsync(oneShardClient, script);
        // Same per-key history, keys in another order.
        await ApplyAsync(fourShardsClient, Shuffle(script, seed: 7));

        var expected = (await redisClient.ExecuteAsync("DEBUG", "DIGEST")).AsString();
        Assert.NotEqual(EmptyDigest, expected);
        Assert.Equal(expected, (await oneShardClient.ExecuteAsync("DEBUG", "DIGEST")).AsString());
        Assert.Equal(expected, (await fourShardsClient.ExecuteAsync("DEBUG", "DIGEST")).AsString());

        // One more change anywhere changes the digest.
        await fourShardsClient.ExecuteAsync("SELECT", "3");
        await fourShardsClient.ExecuteAsync("APPEND", "s3-0", "!");
        Assert.NotEqual(expected, (await fourShardsClient.ExecuteAsync("DEBUG", "DIGEST")).AsString());
    }

    [Fact]
    public async Task Digest_value_matches_redis()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        await using var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        var siloClient = await silo.ConnectAsync();
        foreach (var client in new[] { redisClient, siloClient })
        {
            await client.ExecuteAsync("SET", "text", "hello world");
            await client.ExecuteAsync("SET", "number", "12345");
            await client.ExecuteAsync("SET", "empty", "");
        }
        object[] command = ["DEBUG", "DIGEST-VALUE", "text", "number", "empty", "missing"];
        Assert.Equal(Wire.Text(await redisClient.ExecuteRawAsync(command)), Wire.Text(await siloClient.ExecuteRawAsync(command)));
    }

    /// <summary>Per key, the commands that build its value, grouped by database.</summary>
    private static List<(int Db, object[][] Commands)> BuildScript()
    {
        var script = new List<(int, object[][])>();
        foreach (var db in new[] { 0, 3, 9 })
        {
            for (var i = 0; i < 40; i++)
            {
                var key = $"s{db}-{i}";
                object[][] commands = (i % 5) switch
                {
                    0 => [["SET", key, $"value-{i}"]],
                    1 => [["SET", key, $"value-{i}", "EX", 1000 + i]],
                    2 => [["SET", key, "stale"], ["SET", key, i * 1000L]],
                    3 => [["INCRBY", key, i], ["PEXPIRE", key, 500_000], ["APPEND", key, "x"]],
                    _ => [["SET", key, "v", "EX", 100], ["PERSIST", key], ["SETRANGE", key, 3, "tail"]],
                };
                script.Add((db, commands));
            }
            // Deleted keys leave no trace.
            script.Add((db, [["SET", $"gone{db}", "x"], ["DEL", $"gone{db}"]]));
        }
        return script;
    }

    private static List<(int Db, object[][] Commands)> Shuffle(List<(int Db, object[][] Commands)> script, int seed)
    {
        var random = new Random(seed);
        return script.OrderBy(_ => random.Next()).ToList();
    }

    private static async Task ApplyAsync(RedisConnection client, List<(int Db, object[][] Commands)> script)
    {
        foreach (var (db, commands) in script)
        {
            Assert.Equal("OK", (await client.ExecuteAsync("SELECT", db)).AsString());
            foreach (var command in commands)
            {
                var reply = await client.ExecuteAsync(command);
                Assert.False(reply.IsError, $"{string.Join(' ', command)}: {reply}");
            }
        }
        await client.ExecuteAsync("SELECT", 0);
    }
}
