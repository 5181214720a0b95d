using OrleansReplica.Client;

namespace OrleansReplica.Tests.Integration;

/// <summary>
/// Lazy expiry (a read of an expired key finds nothing and reclaims it) and active expiry (unread
/// expired keys are reclaimed in the background); DBSIZE counts keys not reclaimed yet, as in Redis.
/// </summary>
public sealed class ExpiryTests
{
    [Fact]
    public async Task Key_with_pexpire_is_gone_after_it_expires()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "k", "v"));
        Assert.Equal(":1\r\n", await client.RawAsync("PEXPIRE", "k", "50"));
        var ttl = (await client.ExecuteAsync("PTTL", "k")).AsInt64();
        Assert.InRange(ttl, 0, 50);
        await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("GET", "k")).IsNull, "k expires");
        Assert.Equal(":0\r\n", await client.RawAsync("EXISTS", "k"));
        Assert.Equal(":-2\r\n", await client.RawAsync("PTTL", "k"));
        Assert.Equal(":0\r\n", await client.RawAsync("DBSIZE"));
    }

    [Fact]
    public async Task Active_expiry_reclaims_keys_nobody_reads()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        foreach (var db in new[] { "0", "5" })
        {
            Assert.Equal("+OK\r\n", await client.RawAsync("SELECT", db));
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal("+OK\r\n", await client.RawAsync("SET", $"k{i}", "v", "PX", "50"));
            }
            Assert.Equal("+OK\r\n", await client.RawAsync("SET", "kept", "v"));
        }
        foreach (var db in new[] { "0", "5" })
        {
            Assert.Equal("+OK\r\n", await client.RawAsync("SELECT", db));
            await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("DBSIZE")).AsInt64() == 1, $"active expiry empties db {db} of volatile keys");
            Assert.Equal("$1\r\nv\r\n", await client.RawAsync("GET", "kept"));
        }
        var stats = (await client.ExecuteAsync("INFO", "stats")).AsString()!;
        Assert.Contains("expired_keys:200\r\n", stats);
    }

    [Fact]
    public async Task Without_active_expiry_expired_keys_count_in_dbsize_until_read()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        const int count = 20;
        await WriteVolatileKeysThenWaitUntilExpiredAsync(client, count);
        // Reading the sentinel reclaimed it; the others expired too but nobody reclaimed them.
        Assert.Equal($":{count}\r\n", await client.RawAsync("DBSIZE"));
        Assert.Contains($"db0:keys={count},expires={count},", (await client.ExecuteAsync("INFO", "keyspace")).AsString()!);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal("$-1\r\n", await client.RawAsync("GET", $"k{i}"));
            Assert.Equal($":{count - i - 1}\r\n", await client.RawAsync("DBSIZE"));
        }

        // Turning active expiry back on reclaims what is left without reads.
        await WriteVolatileKeysThenWaitUntilExpiredAsync(client, count);
        Assert.Equal($":{count}\r\n", await client.RawAsync("DBSIZE"));
        Assert.Equal("+OK\r\n", await client.RawAsync("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
        await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("DBSIZE")).AsInt64() == 0, "active expiry reclaims the keys");
    }

    [Fact]
    public async Task Ttl_commands_and_persist()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "k", "v", "EX", "100"));
        Assert.InRange((await client.ExecuteAsync("TTL", "k")).AsInt64(), 99, 100);
        Assert.Equal(":1\r\n", await client.RawAsync("PERSIST", "k"));
        Assert.Equal(":-1\r\n", await client.RawAsync("TTL", "k"));
        Assert.Equal(":-2\r\n", await client.RawAsync("TTL", "missing"));
        // An expire in the past deletes the key at once.
        Assert.Equal(":1\r\n", await client.RawAsync("PEXPIREAT", "k", "1"));
        Assert.Equal(":0\r\n", await client.RawAsync("DBSIZE"));
    }

    /// <summary>
    /// Writes k0..k(count-1) with a 50 ms TTL, then a sentinel with the same TTL, and waits until a
    /// read of the sentinel finds nothing: by then every earlier key has expired as well.
    /// </summary>
    private static async Task WriteVolatileKeysThenWaitUntilExpiredAsync(RedisConnection client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.Equal("+OK\r\n", await client.RawAsync("SET", $"k{i}", "v", "PX", "50"));
        }
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "sentinel", "v", "PX", "50"));
        await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("GET", "sentinel")).IsNull, "the sentinel expires");
    }
}
