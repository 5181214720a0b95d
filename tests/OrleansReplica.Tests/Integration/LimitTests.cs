using System.Text;

namespace OrleansReplica.Tests.Integration;

/// <summary>proto-max-bulk-len, client-query-buffer-limit and maxclients, set at start or with CONFIG SET.</summary>
public sealed class LimitTests
{
    private const int OneMegabyte = 1024 * 1024;

    [Fact]
    public async Task Bulk_longer_than_proto_max_bulk_len_is_a_protocol_error()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var admin = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await admin.RawAsync("CONFIG", "SET", "proto-max-bulk-len", "1mb"));
        Assert.Equal("*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n1048576\r\n", await admin.RawAsync("CONFIG", "GET", "proto-max-bulk-len"));

        // Exactly the limit is accepted.
        var atLimit = new string('a', OneMegabyte);
        Assert.Equal("+OK\r\n", await admin.RawAsync("SET", "big", atLimit));
        Assert.Equal($":{OneMegabyte}\r\n", await admin.RawAsync("STRLEN", "big"));

        var offender = await silo.ConnectServedAsync();
        await offender.SendRawAsync(Wire.Bytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${2 * OneMegabyte}\r\n"));
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", Wire.Text(await offender.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(offender);
        Assert.Equal("+PONG\r\n", await admin.RawAsync("PING"));
    }

    [Fact]
    public async Task Proto_max_bulk_len_set_at_start_applies()
    {
        await using var silo = await SiloUnderTest.StartAsync(("proto-max-bulk-len", "1mb"));
        var offender = await silo.ConnectAsync();
        await offender.SendRawAsync(Wire.Bytes($"*2\r\n$3\r\nGET\r\n${OneMegabyte + 1}\r\n"));
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", Wire.Text(await offender.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(offender);
    }

    [Fact]
    public async Task Query_buffer_over_client_query_buffer_limit_closes_the_connection()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var admin = await silo.ConnectAsync();
        Assert.Equal("+OK\r\n", await admin.RawAsync("CONFIG", "SET", "client-query-buffer-limit", "1mb"));

        var offender = await silo.ConnectServedAsync();
        // A request announcing a 3 MB argument (allowed by proto-max-bulk-len), of which 2 MB arrive.
        await offender.SendRawAsync(Wire.Bytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${3 * OneMegabyte}\r\n"));
        var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
        try
        {
            for (var sent = 0; sent < 2 * OneMegabyte; sent += chunk.Length)
            {
                await offender.SendRawAsync(chunk);
            }
        }
        catch (IOException)
        {
            // The server may close while the rest is still being written.
        }
        await Wire.AssertClosedByServerAsync(offender);

        Assert.Equal("+PONG\r\n", await admin.RawAsync("PING"));
        Assert.Equal(":0\r\n", await admin.RawAsync("EXISTS", "k"));
    }

    [Fact]
    public async Task Unterminated_inline_request_is_a_protocol_error()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var offender = await silo.ConnectServedAsync();
        // Redis allows at most 64 KB for an inline request without its newline.
        var chunk = Encoding.ASCII.GetBytes(new string('a', 16 * 1024));
        try
        {
            for (var i = 0; i < 8; i++)
            {
                await offender.SendRawAsync(chunk);
            }
        }
        catch (IOException)
        {
        }
        Assert.Equal("-ERR Protocol error: too big inline request\r\n", Wire.Text(await offender.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(offender);
    }

    [Fact]
    public async Task Maxclients_set_with_config_set_rejects_the_next_connection()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var admin = await silo.ConnectServedAsync();
        Assert.Equal("+OK\r\n", await admin.RawAsync("CONFIG", "SET", "maxclients", "2"));
        var second = await silo.ConnectServedAsync();

        var third = await silo.ConnectAsync();
        Assert.Equal("-ERR max number of clients reached\r\n", Wire.Text(await third.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(third);

        Assert.Equal("+PONG\r\n", await second.RawAsync("PING"));
        // Once a client leaves there is room again.
        await second.DisposeAsync();
        await Wire.WaitUntilAsync(async () => ConnectedClients(await admin.ExecuteAsync("INFO", "clients")) == 1, "the closed client is gone");
        var replacement = await silo.ConnectAsync();
        Assert.Equal("+PONG\r\n", await replacement.RawAsync("PING"));
        var info = (await admin.ExecuteAsync("INFO", "stats")).AsString()!;
        Assert.Contains("rejected_connections:1\r\n", info);
    }

    [Fact]
    public async Task Maxclients_set_at_start_rejects_the_connection_over_the_limit()
    {
        await using var silo = await SiloUnderTest.StartAsync(("maxclients", "2"));
        var first = await silo.ConnectServedAsync();
        var second = await silo.ConnectServedAsync();
        var third = await silo.ConnectAsync();
        Assert.Equal("-ERR max number of clients reached\r\n", Wire.Text(await third.ReadRawReplyAsync()));
        await Wire.AssertClosedByServerAsync(third);
        Assert.Equal("+PONG\r\n", await first.RawAsync("PING"));
        Assert.Equal("+PONG\r\n", await second.RawAsync("PING"));
    }

    private static long ConnectedClients(OrleansReplica.Client.RespValue info)
    {
        var line = info.AsString()!.Split("\r\n").Single(l => l.StartsWith("connected_clients:", StringComparison.Ordinal));
        return long.Parse(line["connected_clients:".Length..]);
    }
}
