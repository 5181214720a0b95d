using OrleansReplica.Client;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Protocol.Rdb;
using OrleansReplica.TestingHost;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// The silo's dump.rdb and a real redis-server's are interchangeable: redis-check-rdb accepts ours,
/// each server loads the other's file, and DEBUG DIGEST is equal on both sides.
/// </summary>
public sealed class SiloRdbInteropTests : DataDirectoryTests
{

    [Theory]
    [InlineData("yes", "yes")]
    [InlineData("no", "no")]
    public async Task Redis_loads_the_silos_dump_and_agrees_on_the_digest(string compression, string checksum)
    {
        var silo = await StartSiloAsync(("rdbcompression", compression), ("rdbchecksum", checksum), ("shards", "4"));
        var client = await RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
        await FillAsync(client);
        Assert.Equal("OK", (await client.ExecuteAsync("SAVE")).AsString());
        var digest = (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString();

        var check = await RedisTools.RunAsync("redis-check-rdb", [Path.Combine(DataDir, "dump.rdb")]);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("RDB looks OK", check.Output);

        await using var redis = await RedisServerProcess.StartAsync("--dir", DataDir, "--dbfilename", "dump.rdb");
        var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        Assert.Equal(digest, (await redisClient.ExecuteAsync("DEBUG", "DIGEST")).AsString());
        Assert.Equal(1003L, await DbSizeSumAsync(redisClient));
    }

    [Fact]
    public async Task The_silo_loads_a_dump_written_by_redis_and_agrees_on_the_digest()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await FillAsync(redisClient);
        Assert.Equal("OK", (await redisClient.ExecuteAsync("SAVE")).AsString());
        var digest = (await redisClient.ExecuteAsync("DEBUG", "DIGEST")).AsString();
        File.Copy(Path.Combine(redis.Dir, "dump.rdb"), Path.Combine(DataDir, "dump.rdb"));

        var silo = await StartSiloAsync(("shards", "3"));
        var client = await RedisConnection.ConnectAsync("127.0.0.1", silo.Port);

        Assert.Equal(digest, (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString());
        Assert.Equal(1003L, await DbSizeSumAsync(client));
    }

    [Fact]
    public async Task A_redis_dump_with_a_type_the_silo_lacks_is_refused_whole()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await redisClient.ExecuteAsync("SET", "a", "1");
        await redisClient.ExecuteAsync("RPUSH", "list", "x", "y");
        await redisClient.ExecuteAsync("SAVE");
        File.Copy(Path.Combine(redis.Dir, "dump.rdb"), Path.Combine(DataDir, "dump.rdb"));

        var refused = await Assert.ThrowsAsync<RdbFormatException>(() => StartSiloAsync());

        Assert.Contains("list", refused.Message);
        Assert.Contains("dump.rdb at byte offset", refused.Message);
    }

    /// <summary>1003 keys over three databases: integers, short strings, long compressible and incompressible strings, expires.</summary>
    private static async Task FillAsync(RedisConnection client)
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var value = (i % 5) switch
            {
                0 => (i * 7919L - 3_000_000).ToString(),
                1 => $"short-{i}",
                2 => new string((char)('a' + i % 26), 40 + i % 200),
                3 => Convert.ToBase64String(Enumerable.Range(0, 64 + i % 64).Select(_ => (byte)random.Next(256)).ToArray()),
                _ => "9223372036854775807",
            };
            await client.ExecuteAsync("SET", $"key:{i}", value);
            if (i % 7 == 0)
            {
                await client.ExecuteAsync("PEXPIREAT", $"key:{i}", (4102444800000L + i).ToString());
            }
        }
        await client.ExecuteAsync("SELECT", "1");
        await client.ExecuteAsync("SET", "in-db-1", "one");
        await client.ExecuteAsync("SELECT", "15");
        await client.ExecuteAsync("SET", "in-db-15", "");
        await client.ExecuteAsync("SET", "bin", "\u0000\u0001\u00ff");
        await client.ExecuteAsync("SELECT", "0");
    }

    private static async Task<long> DbSizeSumAsync(RedisConnection client)
    {
        var total = 0L;
        foreach (var db in new[] { "0", "1", "15" })
        {
            await client.ExecuteAsync("SELECT", db);
            total += (await client.ExecuteAsync("DBSIZE")).AsInt64();
        }
        await client.ExecuteAsync("SELECT", "0");
        return total;
    }
}
