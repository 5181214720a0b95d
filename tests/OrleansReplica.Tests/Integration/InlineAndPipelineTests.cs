using System.Text;

namespace OrleansReplica.Tests.Integration;

/// <summary>Inline commands (as typed in telnet) and many requests in one write, answered in order.</summary>
public sealed class InlineAndPipelineTests
{
    [Fact]
    public async Task Inline_ping()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        await client.SendRawAsync(Wire.Bytes("PING\r\n"));
        Assert.Equal("+PONG\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        // A bare newline ends an inline request too, and empty lines are skipped.
        await client.SendRawAsync(Wire.Bytes("\r\n\r\n   \r\nPING\n"));
        Assert.Equal("+PONG\r\n", Wire.Text(await client.ReadRawReplyAsync()));
    }

    [Fact]
    public async Task Inline_quoted_arguments()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        await client.SendRawAsync(Wire.Bytes("SET k \"a b\"\r\n"));
        Assert.Equal("+OK\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        Assert.Equal("$3\r\na b\r\n", await client.RawAsync("GET", "k"));
    }

    [Fact]
    public async Task Inline_escape_sequences_in_double_quotes()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        await client.SendRawAsync(Wire.Bytes("SET k2 \"tab\\there\\x41\"\r\nGET k2\r\nSET k3 'it\\'s'\r\nGET k3\r\n"));
        Assert.Equal("+OK\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        Assert.Equal("$9\r\ntab\thereA\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        Assert.Equal("+OK\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        Assert.Equal("$4\r\nit's\r\n", Wire.Text(await client.ReadRawReplyAsync()));
    }

    [Fact]
    public async Task Many_commands_in_one_write_are_answered_in_order()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        await client.SendRawAsync(Wire.Bytes("SET a 1\r\nINCR a\r\n" + Wire.Multibulk("INCR", "a") + "GET a\r\nPING\r\nECHO hello\r\nNOSUCH x\r\nDEL a\r\nGET a\r\n"));
        string[] expected =
        [
            "+OK\r\n", ":2\r\n", ":3\r\n", "$1\r\n3\r\n", "+PONG\r\n", "$5\r\nhello\r\n",
            "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n", ":1\r\n", "$-1\r\n",
        ];
        foreach (var reply in expected)
        {
            Assert.Equal(reply, Wire.Text(await client.ReadRawReplyAsync()));
        }
    }

    [Fact]
    public async Task Long_pipeline_split_across_many_writes_is_answered_in_order()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        const int count = 5000;
        var pipeline = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            pipeline.Append(i % 2 == 0 ? Wire.Multibulk("INCR", $"c{i % 7}") : $"INCR c{i % 7}\r\n");
        }
        var bytes = Wire.Bytes(pipeline.ToString());
        // Odd-sized writes split requests at arbitrary points.
        for (var offset = 0; offset < bytes.Length; offset += 997)
        {
            await client.SendRawAsync(bytes.AsMemory(offset, Math.Min(997, bytes.Length - offset)));
        }
        var counters = new long[7];
        for (var i = 0; i < count; i++)
        {
            Assert.Equal($":{++counters[i % 7]}\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        }
    }

    [Fact]
    public async Task Replies_before_a_request_still_being_sent_go_out_without_waiting_for_its_rest()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        // A client that sends half a request and waits for the replies before it still gets them.
        await client.SendRawAsync(Wire.Bytes("PING\r\n" + Wire.Multibulk("ECHO", "done")[..10]));
        Assert.Equal("+PONG\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        await client.SendRawAsync(Wire.Bytes(Wire.Multibulk("ECHO", "done")[10..]));
        Assert.Equal("$4\r\ndone\r\n", Wire.Text(await client.ReadRawReplyAsync()));
    }

    [Fact]
    public async Task A_pipeline_larger_than_a_read_is_answered_in_full()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        var value = new string('v', 300);
        var pipeline = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            pipeline.Append(Wire.Multibulk("MSET", $"a{i}", value, $"b{i}", value));
        }
        pipeline.Append(Wire.Multibulk("DBSIZE"));
        await client.SendRawAsync(Wire.Bytes(pipeline.ToString()));
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal("+OK\r\n", Wire.Text(await client.ReadRawReplyAsync()));
        }
        Assert.Equal(":400\r\n", Wire.Text(await client.ReadRawReplyAsync()));
    }
}
