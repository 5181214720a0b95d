namespace OrleansReplica.Tests.Integration;

/// <summary>Malformed requests get Redis's protocol error and close that connection only.</summary>
public sealed class ProtocolErrorTests
{
    public static TheoryData<string, string> MalformedRequests() => new()
    {
        { "*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n" },
        { "*2\r\n$3\r\nGET\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n" },
        { "SET k \"a b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "SET k 'a b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "SET k \"a\"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task Protocol_error_replies_then_closes_only_that_connection(string request, string expected)
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var bystander = await silo.ConnectServedAsync();
        var offender = await silo.ConnectServedAsync();
        await offender.SendRawAsync(Wire.Bytes(request));
        Assert.Equal(expected, Wire.Text(await offender.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(offender);

        Assert.True(bystander.IsConnected);
        Assert.Equal("+OK\r\n", await bystander.RawAsync("SET", "still", "here"));
        Assert.Equal("$4\r\nhere\r\n", await bystander.RawAsync("GET", "still"));
        var fresh = await silo.ConnectAsync();
        Assert.Equal("+PONG\r\n", await fresh.RawAsync("PING"));
    }

    [Fact]
    public async Task Replies_before_the_protocol_error_are_sent_in_order()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        await client.SendRawAsync(Wire.Bytes("PING\r\n" + Wire.Multibulk("SET", "a", "1") + "*abc\r\nPING\r\n"));
        Assert.Equal("+PONG\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        Assert.Equal("+OK\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        Assert.Equal("-ERR Protocol error: invalid multibulk length\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(client);
        var fresh = await silo.ConnectAsync();
        Assert.Equal("$1\r\n1\r\n", await fresh.RawAsync("GET", "a"));
    }

    [Fact]
    public async Task Protocol_error_counts_in_errorstats()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var offender = await silo.ConnectAsync();
        await offender.SendRawAsync(Wire.Bytes("*abc\r\n"));
        await Wire.AssertClosedByServerAsync(offender);
        var client = await silo.ConnectAsync();
        var info = (await client.ExecuteAsync("INFO", "errorstats")).AsString()!;
        Assert.Contains("errorstat_ERR:count=1\r\n", info);
    }
}
