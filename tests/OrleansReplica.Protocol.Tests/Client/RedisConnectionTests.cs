using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Client;

[Collection(RedisServerCollection.Name)]
public sealed class RedisConnectionTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Resp2_reply_types_round_trip()
    {
        await using var connection = await Connect();
        string key = NewKey();

        Assert.Equal(new RespSimpleString("OK"), await connection.ExecuteAsync("SET", key, "value"));
        Assert.Equal(new RespBulkString("value"), await connection.ExecuteAsync("GET", key));
        Assert.Equal(RespBulkString.Null, await connection.ExecuteAsync("GET", key + ":missing"));
        Assert.Equal(new RespInteger(10), await connection.ExecuteAsync("APPEND", key, 12345L));
        Assert.Equal(new RespInteger(3), await connection.ExecuteAsync("RPUSH", key + ":list", "a", 2, 3.5));
        Assert.Equal(
            new RespArray(new RespBulkString("a"), new RespBulkString("2"), new RespBulkString("3.5")),
            await connection.ExecuteAsync("LRANGE", key + ":list", 0, -1));
        Assert.Equal(new RespArray([]), await connection.ExecuteAsync("LRANGE", key + ":none", 0, -1));
        Assert.Equal(RespArray.Null, await connection.ExecuteAsync("BLPOP", key + ":none", "0.01"));

        var error = Assert.IsType<RespError>(await connection.ExecuteAsync("INCR", key));
        Assert.Equal("ERR value is not an integer or out of range", error.Message);
        Assert.Equal("ERR", error.Code);
    }

    [Fact]
    public async Task Binary_values_round_trip_unchanged()
    {
        await using var connection = await Connect();
        string key = NewKey();
        byte[] value = [.. Enumerable.Range(0, 256).Select(i => (byte)i), .. "\r\n$-1\r\n"u8];

        await connection.ExecuteAsync("SET", key, value);

        var reply = Assert.IsType<RespBulkString>(await connection.ExecuteAsync("GET", key));
        Assert.Equal(value, reply.Value);
    }

    [Fact]
    public async Task Large_value_arrives_over_many_reads()
    {
        await using var connection = await Connect();
        string key = NewKey();
        byte[] value = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i % 251)).ToArray();

        await connection.ExecuteAsync("SET", key, value);

        var reply = Assert.IsType<RespBulkString>(await connection.ExecuteAsync("GET", key));
        Assert.Equal(value, reply.Value);
    }

    [Fact]
    public async Task Raw_reply_bytes_are_exact()
    {
        await using var connection = await Connect();
        string key = NewKey();

        Assert.Equal("+OK\r\n"u8.ToArray(), await connection.ExecuteRawAsync("SET", key, "bar"));
        Assert.Equal("$3\r\nbar\r\n"u8.ToArray(), await connection.ExecuteRawAsync("GET", key));
        Assert.Equal("$-1\r\n"u8.ToArray(), await connection.ExecuteRawAsync("GET", key + ":missing"));
        Assert.Equal("*2\r\n$3\r\nbar\r\n$-1\r\n"u8.ToArray(), await connection.ExecuteRawAsync("MGET", key, key + ":missing"));
        Assert.Equal(":1\r\n"u8.ToArray(), await connection.ExecuteRawAsync("EXISTS", key));
        Assert.Equal("-ERR unknown command 'NOPE', with args beginning with: 'x' \r\n"u8.ToArray(), await connection.ExecuteRawAsync("NOPE", "x"));
    }

    [Fact]
    public async Task Pipelined_requests_get_replies_in_order()
    {
        await using var connection = await Connect();
        string key = NewKey();
        var batch = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            batch.Append($"*3\r\n$5\r\nRPUSH\r\n${key.Length}\r\n{key}\r\n${i.ToString().Length}\r\n{i}\r\n");
        }

        batch.Append("PING\r\n").Append($"LLEN {key}\n").Append("ECHO \"a\\x41\"\r\n");

        await connection.SendRawAsync(Encoding.ASCII.GetBytes(batch.ToString()));

        for (int i = 1; i <= 200; i++)
        {
            Assert.Equal(new RespInteger(i), await connection.ReadReplyAsync());
        }

        Assert.Equal(new RespSimpleString("PONG"), await connection.ReadReplyAsync());
        Assert.Equal(new RespInteger(200), await connection.ReadReplyAsync());
        Assert.Equal("$2\r\naA\r\n"u8.ToArray(), await connection.ReadRawReplyAsync());
    }

    [Fact]
    public async Task Protocol_error_closes_the_connection()
    {
        await using var connection = await Connect();

        await connection.SendRawAsync("*1\r\n$-5\r\n"u8.ToArray());

        Assert.Equal(new RespError("ERR Protocol error: invalid bulk length"), await connection.ReadReplyAsync());
        await Assert.ThrowsAsync<IOException>(() => connection.ReadReplyAsync());
        Assert.False(connection.IsConnected);
    }

    [Fact]
    public async Task Read_without_a_reply_times_out()
    {
        await using var connection = await Connect();
        connection.Timeout = TimeSpan.FromMilliseconds(200);

        await Assert.ThrowsAsync<TimeoutException>(() => connection.ReadReplyAsync());

        // The connection stays usable after a timed-out read.
        Assert.True(connection.IsConnected);
        Assert.Equal(new RespSimpleString("PONG"), await connection.ExecuteAsync("PING"));
    }

    [Fact]
    public async Task Is_connected_until_the_server_closes()
    {
        await using var connection = await Connect();
        Assert.True(connection.IsConnected);

        Assert.Equal(RespSimpleString.Ok, await connection.ExecuteAsync("QUIT"));

        await Eventually.True(() => !connection.IsConnected, TimeSpan.FromSeconds(5));
    }

    private Task<RedisConnection> Connect() => RedisConnection.ConnectAsync(redis.Host, redis.Port);

    private static string NewKey() => "test:" + Guid.NewGuid().ToString("N");
}
