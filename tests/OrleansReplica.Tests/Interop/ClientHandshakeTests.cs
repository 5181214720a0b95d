using System.Text;
using OrleansReplica.Client;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// Replays, in one write, the connect handshake StackExchange.Redis 2.x pipelines (interactive and subscription
/// legs together) and checks that exactly one well-formed reply comes back per command, equal to what
/// redis-server 7.0 answers (errors included), except CLIENT SETINFO: Redis 7.0 predates it, the silo must accept it.
/// </summary>
public sealed class ClientHandshakeTests
{
    private const string Password = "s3cret pass";
    private const string ClientName = "OrleansReplicaTests(SE.Redis-v2.8.16)";
    private const string TracerId = "8c4f6e2a-5b1d-4e7f-9a3c-2d6b0e1f4a59";
    private const string MasterChangedChannel = "__Booksleeve_MasterChanged";

    private enum Check
    {
        /// <summary>Rendered like redis-cli, the replies are equal.</summary>
        Same,

        /// <summary>HELLO: equal but for the connection id.</summary>
        Hello,

        /// <summary>Same reply type (the value is per connection or per server).</summary>
        SameType,

        /// <summary>INFO: same reply type, same section header and the same field names.</summary>
        InfoFields,

        /// <summary>The silo answers +OK whatever Redis 7.0 says.</summary>
        OkOnSilo,
    }

    private sealed record Step(Check Check, params string[] Arguments)
    {
        public string Text => string.Join(' ', Arguments);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(2, true)]
    public async Task Pipelined_connect_handshake_gets_one_reply_per_command_like_redis(int protocol, bool withPassword)
    {
        var steps = Handshake(protocol, withPassword);
        var request = Encode(steps.Select(static s => s.Arguments).Append(["PING"]));

        await using var redis = withPassword ? await RedisServerProcess.StartAsync("--requirepass", Password) : await RedisServerProcess.StartAsync();
        await using var cluster = await TestCluster.StartAsync(1, (_, silo) =>
        {
            if (withPassword)
            {
                silo.Configure("requirepass", Password);
            }
        });

        var expected = await ReplayAsync(redis.Port, request, steps.Count + 1);
        var actual = await ReplayAsync(cluster.Primary.Port, request, steps.Count + 1);

        var differences = new List<string>();
        for (var i = 0; i < steps.Count; i++)
        {
            if (Difference(steps[i].Check, expected[i], actual[i]) is { } difference)
            {
                differences.Add($"{steps[i].Text}: {difference}\n    redis: {Show(expected[i])}\n    silo:  {Show(actual[i])}");
            }
        }
        // The trailing PING proves no command got zero or two replies; its form shows whether SUBSCRIBE
        // put the connection in subscribed mode (RESP2 then answers PING with ["pong", ""]).
        if (Difference(Check.Same, expected[^1], actual[^1]) is not null)
        {
            differences.Add($"PING after the handshake (reply count and subscribed mode)\n    redis: {Show(expected[^1])}\n    silo:  {Show(actual[^1])}");
        }
        Assert.True(differences.Count == 0,
            $"RESP{protocol}{(withPassword ? " with a password" : "")}: {differences.Count} replies differ from redis-server:\n" + string.Join("\n", differences));
    }

    [Fact]
    public async Task Redis_answers_the_handshake_as_the_comparison_assumes()
    {
        // Pins the reference behaviour the replay test compares with, so a different redis-server is noticed.
        await using var redis = await RedisServerProcess.StartAsync();
        var steps = Handshake(3, withPassword: false);
        var replies = await ReplayAsync(redis.Port, Encode(steps.Select(static s => s.Arguments).Append(["PING"])), steps.Count + 1);

        string Reply(string command) => replies[steps.FindIndex(s => s.Text.StartsWith(command, StringComparison.Ordinal))].ToString();
        Assert.Equal("(error) ERR unknown command 'SENTINEL', with args beginning with: 'MASTERS' ", Reply("SENTINEL MASTERS"));
        Assert.Equal("(error) ERR This instance has cluster support disabled", Reply("CLUSTER NODES"));
        Assert.Equal("(nil)", Reply("GET __Booksleeve_TieBreak"));
        Assert.Equal($"1) \"subscribe\"\n2) \"{MasterChangedChannel}\"\n3) (integer) 1", Reply("SUBSCRIBE"));
        Assert.IsType<RespPush>(replies[steps.FindIndex(static s => s.Text.StartsWith("SUBSCRIBE", StringComparison.Ordinal))]);
        Assert.Equal("PONG", replies[^1].ToString());
    }

    /// <summary>
    /// What StackExchange.Redis 2.x writes on connect with default options (plus AUTH when a password is set):
    /// the interactive leg (HELLO, client identity, auto-configuration, tie-break, tracer) followed by the
    /// subscription leg's SUBSCRIBE to the master-changed channel.
    /// </summary>
    private static List<Step> Handshake(int protocol, bool withPassword)
    {
        var steps = new List<Step>();
        var version = protocol.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (withPassword)
        {
            steps.Add(new Step(Check.Same, "AUTH", Password));
            steps.Add(new Step(Check.Hello, "HELLO", version, "AUTH", "default", Password, "SETNAME", ClientName));
        }
        else
        {
            steps.Add(new Step(Check.Hello, "HELLO", version, "SETNAME", ClientName));
        }
        steps.AddRange(
        [
            new Step(Check.Same, "CLIENT", "SETNAME", ClientName),
            new Step(Check.OkOnSilo, "CLIENT", "SETINFO", "lib-name", "SE.Redis"),
            new Step(Check.OkOnSilo, "CLIENT", "SETINFO", "lib-ver", "2.8.16"),
            new Step(Check.SameType, "CLIENT", "ID"),
            new Step(Check.Same, "CONFIG", "GET", "timeout"),
            new Step(Check.Same, "CONFIG", "GET", "replica-read-only"),
            new Step(Check.Same, "CONFIG", "GET", "slave-read-only"),
            new Step(Check.Same, "CONFIG", "GET", "databases"),
            new Step(Check.Same, "SENTINEL", "MASTERS"),
            new Step(Check.InfoFields, "INFO", "replication"),
            new Step(Check.InfoFields, "INFO", "server"),
            new Step(Check.Same, "CLUSTER", "NODES"),
            new Step(Check.Same, "GET", "__Booksleeve_TieBreak"),
            new Step(Check.Same, "ECHO", TracerId),
            new Step(Check.Same, "SUBSCRIBE", MasterChangedChannel),
        ]);
        return steps;
    }

    private static async Task<List<RespValue>> ReplayAsync(int port, byte[] request, int replies)
    {
        await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", port);
        await connection.SendRawAsync(request);
        var values = new List<RespValue>();
        for (var i = 0; i < replies; i++)
        {
            values.Add(await connection.ReadReplyAsync());
        }
        return values;
    }

    private static string? Difference(Check check, RespValue redis, RespValue silo) => check switch
    {
        Check.OkOnSilo => silo is RespSimpleString { Value: "OK" } ? null : "expected +OK",
        Check.SameType => redis.GetType() == silo.GetType() ? null : "different reply types",
        Check.Hello => WithoutId(redis) == WithoutId(silo) ? null : "different HELLO reply",
        Check.InfoFields => redis.GetType() != silo.GetType()
            ? "different reply types"
            : InfoFieldNames(redis) == InfoFieldNames(silo) ? null : $"different field names\n    redis fields: {InfoFieldNames(redis)}\n    silo fields:  {InfoFieldNames(silo)}",
        _ => redis.GetType() != silo.GetType() ? "different reply types" : Show(redis) == Show(silo) ? null : "different reply",
    };

    private static string WithoutId(RespValue hello)
    {
        var items = hello.AsList();
        var text = new StringBuilder(hello.GetType().Name);
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            var key = items[i].AsString();
            text.Append(' ').Append(key).Append('=').Append(key == "id" ? items[i + 1].GetType().Name : Show(items[i + 1]));
        }
        return text.ToString();
    }

    private static string InfoFieldNames(RespValue info) =>
        string.Join(',', (info.AsString() ?? "").Split('\n', StringSplitOptions.TrimEntries)
            .Where(static line => line.Length > 0)
            .Select(static line => line.StartsWith('#') ? line : line.Split(':')[0]));

    private static byte[] Encode(IEnumerable<string[]> commands)
    {
        var text = new StringBuilder();
        foreach (var arguments in commands)
        {
            text.Append('*').Append(arguments.Length).Append("\r\n");
            foreach (var argument in arguments)
            {
                text.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Show(RespValue value) => $"{value.GetType().Name[4..].ToLowerInvariant()} {value}";
}
