using System.Text;
using OrleansReplica.Client;

namespace OrleansReplica.Tests.Integration;

/// <summary>WATCH makes EXEC fail (null array) when another client touched a watched key, across shards.</summary>
public sealed class WatchTests
{
    private const string NullArray = "*-1\r\n";

    [Fact]
    public async Task Exec_returns_null_when_another_client_modified_a_watched_key()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await client.RawAsync("SET", "w", "1");
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "w"));
        Assert.Equal("+OK\r\n", await other.RawAsync("SET", "w", "2"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "w", "mine"));
        Assert.Equal(NullArray, await client.RawAsync("EXEC"));
        Assert.Equal("2", (await client.ExecuteAsync("GET", "w")).AsString());
    }

    [Fact]
    public async Task Exec_runs_when_watched_keys_are_unmodified()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await client.RawAsync("SET", "w", "1");
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "w", "never-written"));
        // Reads and writes of other keys do not touch the watched ones.
        Assert.Equal("$1\r\n1\r\n", await other.RawAsync("GET", "w"));
        Assert.Equal("+OK\r\n", await other.RawAsync("SET", "unrelated", "x"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("INCR", "w"));
        Assert.Equal("*1\r\n:2\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Watch_detects_a_write_to_a_key_in_another_shard_than_the_transaction()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var map = silo.Silo.ShardMap;
        var watched = "watched";
        var written = Enumerable.Range(0, 1000).Select(i => $"w{i}")
            .First(key => map.ShardOf(Encoding.UTF8.GetBytes(key)) != map.ShardOf(Encoding.UTF8.GetBytes(watched)));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", watched));
        Assert.Equal(":1\r\n", await other.RawAsync("INCR", watched));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", written, "1"));
        Assert.Equal(NullArray, await client.RawAsync("EXEC"));
        Assert.Equal(":0\r\n", await client.RawAsync("EXISTS", written));

        // The same shape without interference commits, and writes across shards.
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", watched));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", written, "1"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("INCR", watched));
        Assert.Equal("*2\r\n+OK\r\n:2\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Watch_sees_writes_in_the_watched_database_only()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "k"));
        Assert.Equal("+OK\r\n", await other.RawAsync("SELECT", "1"));
        Assert.Equal("+OK\r\n", await other.RawAsync("SET", "k", "db1"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "k", "db0"));
        Assert.Equal("*1\r\n+OK\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Flushall_touches_watched_keys_that_exist()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await client.RawAsync("SET", "w", "1");
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "w"));
        Assert.Equal("+OK\r\n", await other.RawAsync("FLUSHALL"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "z", "1"));
        Assert.Equal(NullArray, await client.RawAsync("EXEC"));
        Assert.Equal(":0\r\n", await client.RawAsync("DBSIZE"));
    }

    [Fact]
    public async Task Flushdb_touches_watched_keys_that_exist()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        await client.RawAsync("SET", "w", "1");
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "w"));
        Assert.Equal("+OK\r\n", await other.RawAsync("FLUSHDB"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "z", "1"));
        Assert.Equal(NullArray, await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Flushall_does_not_touch_watched_keys_that_did_not_exist()
    {
        // Redis 7.0 signals only the watched keys the flush actually removed.
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "absent"));
        Assert.Equal("+OK\r\n", await other.RawAsync("FLUSHALL"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "z", "1"));
        Assert.Equal("*1\r\n+OK\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Unwatch_releases_watched_keys()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "a", "b", "c"));
        Assert.Equal("+OK\r\n", await client.RawAsync("UNWATCH"));
        Assert.Equal("+OK\r\n", await other.RawAsync("MSET", "a", "1", "b", "1", "c", "1"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("INCR", "a"));
        Assert.Equal("*1\r\n:2\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Discard_releases_watched_keys()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "a"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "a", "mine"));
        Assert.Equal("+OK\r\n", await client.RawAsync("DISCARD"));
        Assert.Equal("+OK\r\n", await other.RawAsync("SET", "a", "theirs"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("GET", "a"));
        Assert.Equal("*1\r\n$6\r\ntheirs\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Exec_releases_watched_keys_even_when_it_fails()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var (client, other) = (await silo.ConnectAsync(), await silo.ConnectAsync());
        Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "a"));
        await other.RawAsync("SET", "a", "1");
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal(NullArray, await client.RawAsync("EXEC"));
        await other.RawAsync("SET", "a", "2");
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("GET", "a"));
        Assert.Equal("*1\r\n$1\r\n2\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Closing_a_watching_connection_releases_its_watches()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var other = await silo.ConnectAsync();
        for (var i = 0; i < 20; i++)
        {
            await using var client = await RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
            Assert.Equal("+OK\r\n", await client.RawAsync("WATCH", "a", "b", "c", "d"));
        }
        // Writes to keys watched by closed connections still work and the silo keeps serving.
        Assert.Equal("+OK\r\n", await other.RawAsync("MSET", "a", "1", "b", "1", "c", "1", "d", "1"));
        Assert.Equal("+PONG\r\n", await other.RawAsync("PING"));
    }
}
