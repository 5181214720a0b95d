using System.Text;
using OrleansReplica.Client;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// Raw sockets, as telnet or a hand-written client would use them: inline commands (with quotes and escapes),
/// many commands in a single write, inline and multibulk mixed; replies compared byte for byte with redis-server.
/// </summary>
public sealed class InlineAndPipelineTests(InteropFixture fixture) : IClassFixture<InteropFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.FlushAllAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Inline_commands_typed_like_telnet()
    {
        await using var silo = await RedisConnection.ConnectAsync("127.0.0.1", fixture.SiloPort);

        Assert.Equal("+OK\r\n", await InlineAsync(silo, "SET a b\r\n"));
        Assert.Equal("$1\r\nb\r\n", await InlineAsync(silo, "GET a\r\n"));
        Assert.Equal("+OK\r\n", await InlineAsync(silo, "SET greeting \"hello world\"\r\n"));
        Assert.Equal("$11\r\nhello world\r\n", await InlineAsync(silo, "GET greeting\r\n"));
        Assert.Equal("+PONG\r\n", await InlineAsync(silo, "ping\n"));
        Assert.Equal("$-1\r\n", await InlineAsync(silo, "GET nokey\r\n"));
    }

    [Fact]
    public async Task Inline_replies_match_redis_byte_for_byte()
    {
        string[] lines =
        [
            "SET a b\r\n",
            "GET a\r\n",
            "SET greeting \"hello world\"\r\n",
            "GET greeting\r\n",
            "SET single 'one two'\r\n",
            "GET single\r\n",
            "ECHO \"tab\\there\"\r\n",
            "ECHO \"\\x41\\x42\\n\"\r\n",
            "ECHO 'it\\'s'\r\n",
            "ECHO \"\"\r\n",
            "EXISTS a greeting nokey\r\n",
            "   PING   \r\n",
            "ping\n",
            "GET nokey\r\n",
            "SET\r\n",
            "NOSUCHCOMMAND x y\r\n",
            "INCR a\r\n",
            "MGET a nokey greeting\r\n",
        ];
        await using var redis = await RedisConnection.ConnectAsync("127.0.0.1", fixture.RedisPort);
        await using var silo = await RedisConnection.ConnectAsync("127.0.0.1", fixture.SiloPort);

        var differences = new List<string>();
        foreach (var line in lines)
        {
            var expected = await InlineAsync(redis, line);
            var actual = await InlineAsync(silo, line);
            if (expected != actual)
            {
                differences.Add($"{Show(line)}\n    redis: {Show(expected)}\n    silo:  {Show(actual)}");
            }
        }
        Assert.True(differences.Count == 0, "inline replies differ from redis-server:\n" + string.Join("\n", differences));
    }

    [Fact]
    public async Task Empty_inline_lines_get_no_reply()
    {
        await using var silo = await RedisConnection.ConnectAsync("127.0.0.1", fixture.SiloPort);

        await silo.SendRawAsync(Encoding.ASCII.GetBytes("\r\n\r\n\nECHO first\r\n\r\nECHO second\r\n"));

        Assert.Equal("first", (await silo.ReadReplyAsync()).AsString());
        Assert.Equal("second", (await silo.ReadReplyAsync()).AsString());
    }

    [Fact]
    public async Task Unbalanced_quotes_are_a_protocol_error_that_closes_the_connection_like_redis()
    {
        var replies = new List<string>();
        foreach (var port in new[] { fixture.RedisPort, fixture.SiloPort })
        {
            await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", port);
            var reply = await InlineAsync(connection, "SET a \"b\r\n");
            replies.Add(reply);
            await WaitUntilClosedAsync(connection, TimeSpan.FromSeconds(5));
        }
        Assert.Equal("-ERR Protocol error: unbalanced quotes in request\r\n", replies[0]);
        Assert.Equal(replies[0], replies[1]);
    }

    [Fact]
    public async Task Thousands_of_commands_in_one_write_get_their_replies_in_order()
    {
        const int count = 3000;
        var request = new StringBuilder();
        for (var i = 1; i <= count; i++)
        {
            request.Append("*2\r\n$4\r\nINCR\r\n$7\r\npipe:n1\r\n");
            if (i % 100 == 0)
            {
                // Interleaved reads see every earlier write of the same connection.
                request.Append("*2\r\n$3\r\nGET\r\n$7\r\npipe:n1\r\n");
            }
        }
        await using var silo = await RedisConnection.ConnectAsync("127.0.0.1", fixture.SiloPort);

        await silo.SendRawAsync(Encoding.ASCII.GetBytes(request.ToString()));

        for (var i = 1; i <= count; i++)
        {
            var reply = await silo.ReadReplyAsync();
            Assert.Equal(i, reply.AsInt64());
            if (i % 100 == 0)
            {
                var read = await silo.ReadReplyAsync();
                Assert.IsType<RespBulkString>(read);
                Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), read.AsString());
            }
        }
        Assert.Equal("PONG", (await silo.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Inline_and_multibulk_commands_mixed_in_one_write_match_redis()
    {
        var request = Encoding.ASCII.GetBytes(
            "SET mixed 1\r\n" +
            "*2\r\n$4\r\nINCR\r\n$5\r\nmixed\r\n" +
            "INCR mixed\n" +
            "*3\r\n$6\r\nINCRBY\r\n$5\r\nmixed\r\n$2\r\n10\r\n" +
            "GET mixed\r\n" +
            "*1\r\n$4\r\nPING\r\n" +
            "ECHO \"done here\"\r\n");
        const int replies = 7;

        var results = new List<string>();
        foreach (var port in new[] { fixture.RedisPort, fixture.SiloPort })
        {
            await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", port);
            await connection.SendRawAsync(request);
            var text = new StringBuilder();
            for (var i = 0; i < replies; i++)
            {
                text.Append(Encoding.UTF8.GetString(await connection.ReadRawReplyAsync()));
            }
            results.Add(text.ToString());
        }
        Assert.Equal("+OK\r\n:2\r\n:3\r\n:13\r\n$2\r\n13\r\n+PONG\r\n$9\r\ndone here\r\n", results[0]);
        Assert.Equal(results[0], results[1]);
    }

    [Fact]
    public async Task A_pipeline_split_across_many_small_writes_is_reassembled()
    {
        var request = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            request.Append($"*3\r\n$3\r\nSET\r\n$9\r\nsplit:{i:D3}\r\n$5\r\nv{i:D4}\r\n");
        }
        request.Append("*1\r\n$6\r\nDBSIZE\r\n");
        var bytes = Encoding.ASCII.GetBytes(request.ToString());
        await using var silo = await RedisConnection.ConnectAsync("127.0.0.1", fixture.SiloPort);

        // 7 bytes at a time: frames break inside lengths, CRLFs and payloads.
        for (var offset = 0; offset < bytes.Length; offset += 7)
        {
            await silo.SendRawAsync(bytes.AsMemory(offset, Math.Min(7, bytes.Length - offset)));
        }

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal("OK", (await silo.ReadReplyAsync()).AsString());
        }
        Assert.Equal(200, (await silo.ReadReplyAsync()).AsInt64());
    }

    private static async Task<string> InlineAsync(RedisConnection connection, string line)
    {
        await connection.SendRawAsync(Encoding.UTF8.GetBytes(line));
        return Encoding.UTF8.GetString(await connection.ReadRawReplyAsync());
    }

    private static async Task WaitUntilClosedAsync(RedisConnection connection, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (connection.IsConnected)
        {
            Assert.True(DateTime.UtcNow < deadline, "the server did not close the connection");
            await Task.Delay(10);
        }
    }

    private static string Show(string text) => text.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");
}
