using OrleansReplica.Client;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Client;

[Collection(RedisServerCollection.Name)]
public sealed class Resp3ReplyTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Hello_3_returns_a_map()
    {
        await using var connection = await RedisConnection.ConnectAsync(redis.Host, redis.Port);

        var hello = Assert.IsType<RespMap>(await connection.ExecuteAsync("HELLO", 3));

        Assert.Equal(new RespBulkString("redis"), hello["server"]);
        Assert.Equal(new RespBulkString("7.0.15"), hello["version"]);
        Assert.Equal(new RespInteger(3), hello["proto"]);
        Assert.Equal(new RespArray([]), hello["modules"]);
        Assert.Equal(["server", "version", "proto", "id", "mode", "role", "modules"], hello.Pairs.Select(p => p.Key.AsString()));
        long id = hello["id"]!.AsInt64();
        Assert.Equal(
            $"1# \"server\" => \"redis\"\n2# \"version\" => \"7.0.15\"\n3# \"proto\" => (integer) 3\n4# \"id\" => (integer) {id}\n"
            + "5# \"mode\" => \"standalone\"\n6# \"role\" => \"master\"\n7# \"modules\" => (empty array)",
            hello.ToString());
    }

    [Fact]
    public async Task Every_resp3_type_round_trips()
    {
        await using var connection = await Resp3();

        Assert.Equal(new RespBulkString("Hello World"), await DebugProtocol(connection, "string"));
        Assert.Equal(new RespInteger(12345), await DebugProtocol(connection, "integer"));
        Assert.Equal(new RespDouble(3.141), await DebugProtocol(connection, "double"));
        Assert.Equal(new RespBigNumber("1234567999999999999999999999999999999"), await DebugProtocol(connection, "bignum"));
        Assert.Equal(RespNull.Instance, await DebugProtocol(connection, "null"));
        Assert.Equal(new RespBoolean(true), await DebugProtocol(connection, "true"));
        Assert.Equal(new RespBoolean(false), await DebugProtocol(connection, "false"));
        Assert.Equal(new RespVerbatim("txt", "This is a verbatim\nstring"), await DebugProtocol(connection, "verbatim"));
        Assert.Equal(
            new RespMap([Pair(new RespInteger(0), new RespBoolean(false)), Pair(new RespInteger(1), new RespBoolean(true)), Pair(new RespInteger(2), new RespBoolean(false))]),
            await DebugProtocol(connection, "map"));
        Assert.Equal(new RespSet([new RespInteger(0), new RespInteger(1), new RespInteger(2)]), await DebugProtocol(connection, "set"));
        Assert.Equal(new RespArray(new RespInteger(0), new RespInteger(1), new RespInteger(2)), await DebugProtocol(connection, "array"));
    }

    [Fact]
    public async Task Push_frame_comes_before_the_reply()
    {
        await using var connection = await Resp3();

        Assert.Equal(
            new RespPush([new RespBulkString("server-cpu-usage"), new RespInteger(42)]),
            await connection.ExecuteAsync("DEBUG", "PROTOCOL", "push"));
        Assert.Equal(new RespBulkString("Some real reply following the push reply"), await connection.ReadReplyAsync());
    }

    [Fact]
    public async Task Attribute_frame_is_attached_to_the_reply_it_precedes()
    {
        await using var connection = await Resp3();
        byte[] expected = "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n"u8.ToArray();

        Assert.Equal(expected, await connection.ExecuteRawAsync("DEBUG", "PROTOCOL", "attrib"));
        var reply = await DebugProtocol(connection, "attrib");

        Assert.Equal("Some real reply following the attribute", reply.AsString());
        Assert.Equal(new RespArray(new RespBulkString("key:123"), new RespInteger(90)), reply.Attributes!["key-popularity"]);
    }

    [Fact]
    public async Task Pub_sub_messages_arrive_as_push_frames()
    {
        await using var subscriber = await Resp3();
        await using var publisher = await RedisConnection.ConnectAsync(redis.Host, redis.Port);
        string channel = "chan:" + Guid.NewGuid().ToString("N");

        Assert.Equal(
            new RespPush([new RespBulkString("subscribe"), new RespBulkString(channel), new RespInteger(1)]),
            await subscriber.ExecuteAsync("SUBSCRIBE", channel));
        Assert.Equal(new RespInteger(1), await publisher.ExecuteAsync("PUBLISH", channel, "hi"));

        Assert.Equal(">3\r\n$7\r\nmessage\r\n$" + channel.Length + "\r\n" + channel + "\r\n$2\r\nhi\r\n", Latin1.Text(await subscriber.ReadRawReplyAsync()));
    }

    [Fact]
    public async Task Doubles_keep_their_wire_text()
    {
        await using var connection = await Resp3();
        string key = "z:" + Guid.NewGuid().ToString("N");
        await connection.ExecuteAsync("ZADD", key, double.PositiveInfinity, "a", 0.1, "b", double.NegativeInfinity, "c");

        var b = Assert.IsType<RespDouble>(await connection.ExecuteAsync("ZSCORE", key, "b"));
        Assert.Equal("0.10000000000000001", b.Text);
        Assert.Equal(0.1, b.Value);
        Assert.Equal("(double) 0.10000000000000001", b.ToString());
        Assert.Equal(new RespDouble(double.PositiveInfinity), await connection.ExecuteAsync("ZSCORE", key, "a"));
        Assert.Equal(new RespDouble(double.NegativeInfinity), await connection.ExecuteAsync("ZSCORE", key, "c"));
    }

    private async Task<RedisConnection> Resp3()
    {
        var connection = await RedisConnection.ConnectAsync(redis.Host, redis.Port);
        Assert.IsType<RespMap>(await connection.ExecuteAsync("HELLO", "3"));
        return connection;
    }

    private static Task<RespValue> DebugProtocol(RedisConnection connection, string type) => connection.ExecuteAsync("DEBUG", "PROTOCOL", type);

    private static KeyValuePair<RespValue, RespValue> Pair(RespValue key, RespValue value) => new(key, value);
}
