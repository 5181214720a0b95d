using System.Buffers;
using OrleansReplica.Client;
using OrleansReplica.Protocol.Resp;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Resp;

/// <summary>The reader's errors and the writer's bytes compared with what the real redis-server does.</summary>
[Collection(RedisServerCollection.Name)]
public sealed class RedisDifferentialTests(RedisServerFixture redis)
{
    public static TheoryData<string> ErrorCases => ReaderCases.ErrorNames;

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task Redis_replies_the_same_protocol_error_and_closes(string name)
    {
        var c = ReaderCases.All[name];
        await using var connection = await RedisConnection.ConnectAsync(redis.Host, redis.Port);

        await connection.SendRawAsync(Latin1.Bytes(c.Input));

        Assert.Equal($"-ERR {c.Error}\r\n", Latin1.Text(await connection.ReadRawReplyAsync()));
        await Assert.ThrowsAsync<IOException>(() => connection.ReadRawReplyAsync());
    }

    [Theory]
    [InlineData(RespProtocol.Resp2)]
    [InlineData(RespProtocol.Resp3)]
    public async Task Writer_matches_redis_bytes(RespProtocol protocol)
    {
        await using var connection = await RedisConnection.ConnectAsync(redis.Host, redis.Port);
        await connection.ExecuteAsync("HELLO", (int)protocol);
        string key = "diff:" + Guid.NewGuid().ToString("N");
        double[] scores = [1.5, 0.1, 1e20, 1e-5, 123456789012345678, -2.25, double.PositiveInfinity, double.NegativeInfinity, 0];
        for (int i = 0; i < scores.Length; i++)
        {
            await connection.ExecuteAsync("ZADD", key, scores[i], "m" + i);
        }

        for (int i = 0; i < scores.Length; i++)
        {
            Assert.Equal(Write(protocol, w => w.WriteDouble(scores[i])), await connection.ExecuteRawAsync("ZSCORE", key, "m" + i));
        }

        Assert.Equal(Write(protocol, w => w.WriteVerbatimString("txt", "This is a verbatim\nstring"u8)), await connection.ExecuteRawAsync("DEBUG", "PROTOCOL", "verbatim"));
        Assert.Equal(Write(protocol, w => w.WriteNullBulk()), await connection.ExecuteRawAsync("DEBUG", "PROTOCOL", "null"));
        Assert.Equal(Write(protocol, w => w.WriteBoolean(true)), await connection.ExecuteRawAsync("DEBUG", "PROTOCOL", "true"));
        Assert.Equal(Write(protocol, w => w.WriteDouble(3.141)), await connection.ExecuteRawAsync("DEBUG", "PROTOCOL", "double"));
        Assert.Equal(Write(protocol, w => w.WriteBulkString(12345)), await connection.ExecuteRawAsync("ECHO", 12345));
        Assert.Equal(
            Write(protocol, w =>
            {
                w.WriteMapHeader(3);
                for (int i = 0; i < 3; i++)
                {
                    w.WriteInteger(i);
                    w.WriteBoolean(i == 1);
                }
            }),
            await connection.ExecuteRawAsync("DEBUG", "PROTOCOL", "map"));
        Assert.Equal(
            Write(protocol, w =>
            {
                w.WriteSetHeader(3);
                for (int i = 0; i < 3; i++)
                {
                    w.WriteInteger(i);
                }
            }),
            await connection.ExecuteRawAsync("DEBUG", "PROTOCOL", "set"));
        Assert.Equal(Write(protocol, w => w.WriteNullArray()), await connection.ExecuteRawAsync("BLPOP", key + ":none", "0.01"));
        Assert.Equal(Write(protocol, w => w.WriteError("ERR unknown command 'NOPE', with args beginning with: ")), await connection.ExecuteRawAsync("NOPE"));
    }

    [Fact]
    public async Task Subscribe_confirmation_is_a_push_in_resp3_and_an_array_in_resp2()
    {
        foreach (var protocol in new[] { RespProtocol.Resp2, RespProtocol.Resp3 })
        {
            await using var connection = await RedisConnection.ConnectAsync(redis.Host, redis.Port);
            await connection.ExecuteAsync("HELLO", (int)protocol);

            byte[] expected = Write(protocol, w =>
            {
                w.WritePushHeader(3);
                w.WriteBulkString("subscribe");
                w.WriteBulkString("diff-channel");
                w.WriteInteger(1);
            });
            Assert.Equal(expected, await connection.ExecuteRawAsync("SUBSCRIBE", "diff-channel"));
        }
    }

    private static byte[] Write(RespProtocol protocol, Action<RespWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new RespWriter(output) { Protocol = protocol });
        return output.WrittenSpan.ToArray();
    }
}
