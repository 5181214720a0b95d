using System.Diagnostics;
using OrleansReplica.Client;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Client;

/// <summary>RespValue.ToString() must print what redis-cli prints for the same reply.</summary>
[Collection(RedisServerCollection.Name)]
public sealed class RedisCliRenderingTests(RedisServerFixture redis)
{
    public static TheoryData<int, string[]> Commands => new()
    {
        { 2, ["PING"] },
        { 2, ["ECHO", "x\"y\\z\n\x01\u00e9\t\r\a\b"] },
        { 2, ["GET", "render:missing"] },
        { 2, ["STRLEN", "render:missing"] },
        { 2, ["NOPE"] },
        { 2, ["LRANGE", "render:missing", "0", "-1"] },
        { 2, ["EVAL", "return {1,{2,{3,'a'},{}},'b',{'x','y'}}", "0"] },
        { 2, ["EVAL", "local t={} for i=1,11 do t[i]=i end t[12]={1,2} return t", "0"] },
        { 3, ["EVAL", "redis.setresp(3) return {map={a={1,2},b={map={c=1}},c={1},d={}}}", "0"] },
        { 3, ["EVAL", "redis.setresp(3) return {map={a={set={x=true}},d={map={c={1,2}}}}}", "0"] },
        { 3, ["EVAL", "redis.setresp(3) return {{map={a=1,b={2}}},{set={x=true}},{map={}}}", "0"] },
        { 3, ["EVAL", "redis.setresp(3) return {double=1.5}", "0"] },
        { 3, ["HGETALL", "render:missing"] },
        { 3, ["SMEMBERS", "render:missing"] },
        { 3, ["DEBUG", "PROTOCOL", "map"] },
        { 3, ["DEBUG", "PROTOCOL", "set"] },
        { 3, ["DEBUG", "PROTOCOL", "verbatim"] },
        { 3, ["DEBUG", "PROTOCOL", "true"] },
        { 3, ["DEBUG", "PROTOCOL", "null"] },
        { 3, ["DEBUG", "PROTOCOL", "double"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task To_string_matches_redis_cli(int protocol, string[] command)
    {
        Assert.True(redis.RedisCli is not null, "redis-cli was not found on PATH");
        await using var connection = await RedisConnection.ConnectAsync(redis.Host, redis.Port);
        if (protocol == 3)
        {
            await connection.ExecuteAsync("HELLO", 3);
        }

        var reply = await connection.ExecuteAsync(command);

        Assert.Equal(await RunRedisCli(protocol, command), reply.ToString());
    }

    [Fact]
    public void Big_numbers_and_pushes_render_readably()
    {
        Assert.Equal("(big number) 123", new RespBigNumber("123").ToString());
        Assert.Equal("1) \"message\"\n2) (integer) 1", new RespPush([new RespBulkString("message"), new RespInteger(1)]).ToString());
        Assert.Equal("(empty push)", new RespPush([]).ToString());
        Assert.Equal("(nil)", RespArray.Null.ToString());
    }

    private async Task<string> RunRedisCli(int protocol, string[] command)
    {
        var start = new ProcessStartInfo(redis.RedisCli!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.Latin1,
        };
        foreach (string arg in new[] { "--no-raw", "-h", redis.Host, "-p", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"-{protocol}" }.Concat(command))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.EndsWith('\n') ? output[..^1] : output;
    }
}
