namespace OrleansReplica.Tests.Integration;

/// <summary>Errors while queueing abort the whole transaction; errors while executing fail one command only.</summary>
public sealed class TransactionErrorTests
{
    private const string ExecAbort = "-EXECABORT Transaction discarded because of previous errors.\r\n";

    [Fact]
    public async Task Unknown_command_inside_multi_aborts_exec()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "x", "1"));
        Assert.Equal("-ERR unknown command 'foo', with args beginning with: 'x' \r\n", await client.RawAsync("foo", "x"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "y", "1"));
        Assert.Equal(ExecAbort, await client.RawAsync("EXEC"));
        Assert.Equal(":0\r\n", await client.RawAsync("EXISTS", "x", "y"));
        // The connection left the transaction.
        Assert.Equal("-ERR EXEC without MULTI\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Wrong_arity_inside_multi_aborts_exec()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "x", "1"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", await client.RawAsync("GET"));
        Assert.Equal(ExecAbort, await client.RawAsync("EXEC"));
        Assert.Equal(":0\r\n", await client.RawAsync("EXISTS", "x"));
    }

    [Fact]
    public async Task Runtime_error_inside_exec_fails_only_that_command()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "s", "abc"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "before", "1"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("INCR", "s"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "after", "1"));
        Assert.Equal("*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n", await client.RawAsync("EXEC"));
        Assert.Equal(":2\r\n", await client.RawAsync("EXISTS", "before", "after"));
        Assert.Equal("$3\r\nabc\r\n", await client.RawAsync("GET", "s"));
    }

    [Fact]
    public async Task Nested_multi_and_watch_inside_multi_are_errors_that_do_not_abort()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("-ERR MULTI calls can not be nested\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("-ERR WATCH inside MULTI is not allowed\r\n", await client.RawAsync("WATCH", "x"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "x", "1"));
        Assert.Equal("*1\r\n+OK\r\n", await client.RawAsync("EXEC"));
    }

    [Fact]
    public async Task Empty_transaction_and_discard()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("-ERR DISCARD without MULTI\r\n", await client.RawAsync("DISCARD"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("*0\r\n", await client.RawAsync("EXEC"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("+QUEUED\r\n", await client.RawAsync("SET", "x", "1"));
        Assert.Equal("+OK\r\n", await client.RawAsync("DISCARD"));
        Assert.Equal(":0\r\n", await client.RawAsync("EXISTS", "x"));
    }
}
