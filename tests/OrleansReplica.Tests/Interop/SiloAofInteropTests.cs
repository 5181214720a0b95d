using OrleansReplica.Client;
using OrleansReplica.Hosting.Server;
using OrleansReplica.TestingHost;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// The silo's AOF directory and a real redis-server's are interchangeable: redis-check-aof accepts
/// ours, each server loads the other's, and DEBUG DIGEST is equal on both sides.
/// </summary>
public sealed class SiloAofInteropTests() : DataDirectoryTests(("appendonly", "yes"))
{

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public async Task Redis_loads_the_silos_aof_and_agrees_on_the_digest(string preamble)
    {
        var silo = await StartSiloAsync(("aof-use-rdb-preamble", preamble));
        var client = await RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
        await FillAsync(client);
        Assert.Equal("Background append only file rewriting started", (await client.ExecuteAsync("BGREWRITEAOF")).AsString());
        await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("INFO", "persistence")).AsString()!.Contains("aof_rewrite_in_progress:0"), "the rewrite");
        await FillAsync(client, round: 2);
        var digest = (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString();
        var siloValues = await ValueDigestsAsync(client);
        await Cluster.StopSiloAsync(silo);

        var check = await RedisTools.RunAsync("redis-check-aof", [Path.Combine(DataDir, "appendonlydir", "appendonly.aof.manifest")]);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("All AOF files and manifest are valid", check.Output);

        await using var redis = await RedisServerProcess.StartAsync("--dir", DataDir, "--appendonly", "yes");
        var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        var redisDigest = (await redisClient.ExecuteAsync("DEBUG", "DIGEST")).AsString();
        if (redisDigest != digest)
        {
            var redisValues = await ValueDigestsAsync(redisClient);
            var differences = siloValues.Keys.Union(redisValues.Keys)
                .Where(key => siloValues.GetValueOrDefault(key) != redisValues.GetValueOrDefault(key))
                .Select(key => $"{key}: silo {siloValues.GetValueOrDefault(key) ?? "absent"}, redis {redisValues.GetValueOrDefault(key) ?? "absent"}");
            var files = string.Join(", ", Directory.GetFiles(Path.Combine(DataDir, "appendonlydir")).Select(file => $"{Path.GetFileName(file)} {new FileInfo(file).Length} B"));
            Assert.Fail($"digests differ; keys that differ: {string.Join("; ", differences.Take(20))}; files: {files}");
        }
    }

    /// <summary>DBSIZE of each database, and DEBUG DIGEST-VALUE and PEXPIRETIME of every key, by "db:key": says where two datasets differ.</summary>
    private static async Task<Dictionary<string, string>> ValueDigestsAsync(RedisConnection client)
    {
        var values = new Dictionary<string, string>();
        for (var db = 0; db < 16; db++)
        {
            await client.ExecuteAsync("SELECT", db.ToString());
            var size = (await client.ExecuteAsync("DBSIZE")).AsInt64();
            if (size != 0)
            {
                values[$"{db}:(dbsize)"] = size.ToString();
            }
            foreach (var key in (await client.ExecuteAsync("KEYS", "*")).AsList().Select(static k => k.AsString()!))
            {
                values[$"{db}:{key}"] = (await client.ExecuteAsync("DEBUG", "DIGEST-VALUE", key)).AsList()[0].AsString()! + " ttl " + (await client.ExecuteAsync("PEXPIRETIME", key)).AsInt64();
            }
        }
        await client.ExecuteAsync("SELECT", "0");
        return values;
    }

    [Fact]
    public async Task The_silo_loads_an_aof_written_by_redis_and_agrees_on_the_digest()
    {
        string? digest;
        await using (var redis = await RedisServerProcess.StartAsync("--dir", DataDir, "--appendonly", "yes", "--appendfsync", "always"))
        {
            var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
            await FillAsync(redisClient);
            await redisClient.ExecuteAsync("BGREWRITEAOF");
            await Wire.WaitUntilAsync(async () => (await redisClient.ExecuteAsync("INFO", "persistence")).AsString()!.Contains("aof_rewrite_in_progress:0"), "the rewrite");
            await FillAsync(redisClient, round: 2);
            digest = (await redisClient.ExecuteAsync("DEBUG", "DIGEST")).AsString();
        }

        var silo = await StartSiloAsync(("shards", "3"));
        var client = await RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
        Assert.Equal(digest, (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString());
    }

    /// <summary>Strings of every encoding, expires, counters, a transaction and several databases.</summary>
    private static async Task FillAsync(RedisConnection client, int round = 1)
    {
        for (var i = 0; i < 200; i++)
        {
            await client.ExecuteAsync("SET", $"r{round}:key:{i}", i % 3 == 0 ? (i * 31 - 500).ToString() : new string((char)('a' + i % 26), i % 90));
        }
        await client.ExecuteAsync("SET", $"r{round}:ttl", "x", "PXAT", "4102444800123");
        await client.ExecuteAsync("EXPIRE", "r1:key:5", "100000");
        await client.ExecuteAsync("INCRBY", "counter", "7");
        await client.ExecuteAsync("APPEND", "r1:key:1", "+tail");
        await client.ExecuteAsync("DEL", "r1:key:2");
        await client.ExecuteAsync("SELECT", "9");
        await client.ExecuteAsync("MULTI");
        await client.ExecuteAsync("SET", $"db9:{round}", "nine");
        await client.ExecuteAsync("INCR", "db9:counter");
        await client.ExecuteAsync("EXEC");
        await client.ExecuteAsync("SELECT", "0");
    }
}
