using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// redis-cli (the Debian package) against a silo: one-shot commands, quoting, the reply formats of
/// --no-raw and -3 (compared with a real redis-server), --pipe mass insertion and INFO server.
/// </summary>
public sealed partial class RedisCliTests(InteropFixture fixture) : IClassFixture<InteropFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.FlushAllAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Set_get_incr_and_mget_from_the_command_line()
    {
        var port = fixture.SiloPort;

        Assert.Equal("OK\n", await RedisTools.CliOutputAsync(port, "SET", "cli:k", "v1"));
        Assert.Equal("v1\n", await RedisTools.CliOutputAsync(port, "GET", "cli:k"));
        Assert.Equal("1\n", await RedisTools.CliOutputAsync(port, "INCR", "cli:n"));
        Assert.Equal("2\n", await RedisTools.CliOutputAsync(port, "INCR", "cli:n"));
        // Not a terminal: raw output, one line per element, an empty line for nil.
        Assert.Equal("v1\n\n2\n", await RedisTools.CliOutputAsync(port, "MGET", "cli:k", "cli:missing", "cli:n"));
        Assert.Equal("OK\n", await RedisTools.CliOutputAsync(port, "-n", "3", "SET", "cli:db3", "x"));
        Assert.Equal("x\n", await RedisTools.CliOutputAsync(port, "-n", "3", "GET", "cli:db3"));
        Assert.Equal("\n", await RedisTools.CliOutputAsync(port, "GET", "cli:db3"));
    }

    [Fact]
    public async Task Values_with_spaces_survive_arguments_and_quoted_stdin_lines()
    {
        var port = fixture.SiloPort;

        Assert.Equal("OK\n", await RedisTools.CliOutputAsync(port, "SET", "cli:my key", "hello world"));
        Assert.Equal("hello world\n", await RedisTools.CliOutputAsync(port, "GET", "cli:my key"));

        // Lines from standard input are split like redis-cli's prompt: quotes group words, escapes are decoded.
        var script = "SET \"cli:quoted key\" \"two  spaces and a \\\"quote\\\"\"\nGET \"cli:quoted key\"\nSET cli:single 'single quoted'\nGET cli:single\nECHO \"\\x41\\x42 tab:\\t.\"\n";
        var result = await RedisTools.CliAsync(port, [], Encoding.UTF8.GetBytes(script));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("OK\ntwo  spaces and a \"quote\"\nOK\nsingle quoted\nAB tab:\t.\n", result.Output);
    }

    [Fact]
    public async Task No_raw_output_formats_arrays_nil_integers_and_errors_like_redis()
    {
        var script = string.Join('\n',
            "SET k1 v1",
            "SET \"my key\" \"hello world\"",
            "GET \"my key\"",
            "MGET k1 nokey \"my key\"",
            "INCR counter",
            "INCRBY counter 41",
            "GET nokey",
            "KEYS nomatch*",
            "SCAN 0 MATCH k1 COUNT 100",
            "SET",
            "EXISTS k1 nokey",
            "INCR k1",
            "ECHO \"multi\\nline\"",
            "INCRBYFLOAT f 1.5",
            "DEL k1 nokey",
            "TYPE counter",
            "PING",
            "");

        var output = await BothAsync(["--no-raw"], script);

        Assert.Contains("1) \"v1\"\n2) (nil)\n3) \"hello world\"\n", output);
        Assert.Contains("(integer) 42\n", output);
        Assert.Contains("(empty array)\n", output);
        Assert.Contains("1) \"0\"\n2) 1) \"k1\"\n", output);
        Assert.Contains("(error) ERR wrong number of arguments for 'set' command\n", output);
        Assert.Contains("\"multi\\nline\"\n", output);
    }

    [Fact]
    public async Task Resp3_mode_shows_hello_and_config_get_as_maps_like_redis()
    {
        var hello = await BothAsync(["-3", "--no-raw", "HELLO", "3"], normalize: static text => ConnectionId().Replace(text, "(integer) <id>"));
        Assert.Equal(
            "1# \"server\" => \"redis\"\n2# \"version\" => \"7.0.15\"\n3# \"proto\" => (integer) 3\n4# \"id\" => (integer) <id>\n" +
            "5# \"mode\" => \"standalone\"\n6# \"role\" => \"master\"\n7# \"modules\" => (empty array)\n",
            hello);

        var config = await BothAsync(["-3", "--no-raw", "CONFIG", "GET", "databases"]);
        Assert.Equal("1# \"databases\" => \"16\"\n", config);

        // Several commands over one RESP3 connection: nulls, integers, doubles-as-strings, nested arrays.
        var script = "SET a 1\nGET nokey\nINCR a\nMGET a nokey\nINCRBYFLOAT a 0.5\nCONFIG GET maxmemory-polic*\nSCAN 0 MATCH a\n";
        var output = await BothAsync(["-3", "--no-raw"], script);
        Assert.Contains("(nil)\n", output);
        Assert.Contains("(integer) 2\n", output);
        Assert.Contains("1# \"maxmemory-policy\" => \"noeviction\"\n", output);
    }

    [Fact]
    public async Task Pipe_mode_inserts_thousands_of_commands()
    {
        const int count = 5000;
        var protocol = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            AppendCommand(protocol, "SET", $"pipe:{i}", $"value {i}");
        }
        // A few increments of one key: not counted as keys, but their replies count.
        for (var i = 0; i < 10; i++)
        {
            AppendCommand(protocol, "INCR", "pipe:counter");
        }

        var result = await RedisTools.CliAsync(fixture.SiloPort, ["--pipe"], Encoding.UTF8.GetBytes(protocol.ToString()));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("All data transferred", result.Output);
        Assert.Contains($"errors: 0, replies: {count + 10}", result.Output);
        Assert.Equal($"{count + 1}\n", await RedisTools.CliOutputAsync(fixture.SiloPort, "DBSIZE"));
        Assert.Equal("value 4999\n", await RedisTools.CliOutputAsync(fixture.SiloPort, "GET", "pipe:4999"));
        Assert.Equal("10\n", await RedisTools.CliOutputAsync(fixture.SiloPort, "GET", "pipe:counter"));
    }

    [Fact]
    public async Task Info_server_has_the_field_names_of_redis_in_the_same_order()
    {
        var silo = ParseInfo(await RedisTools.CliOutputAsync(fixture.SiloPort, "INFO", "server"));
        var redis = ParseInfo(await RedisTools.CliOutputAsync(fixture.RedisPort, "INFO", "server"));

        var missing = redis.Keys.Except(silo.Keys).ToList();
        Assert.True(missing.Count == 0, "INFO server lacks: " + string.Join(", ", missing));
        Assert.Equal(redis.Keys.ToList(), silo.Keys.ToList());

        // The silo runs inside the test process.
        Assert.Equal("7.0.15", silo["redis_version"]);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), silo["process_id"]);
        Assert.Equal(fixture.SiloPort.ToString(CultureInfo.InvariantCulture), silo["tcp_port"]);
        Assert.Matches("^[0-9a-f]{40}$", silo["run_id"]);
        Assert.Equal("standalone", silo["redis_mode"]);
        Assert.True(long.Parse(silo["uptime_in_seconds"], CultureInfo.InvariantCulture) >= 0);
    }

    /// <summary>Runs redis-cli with the same arguments and input against redis-server and the silo; the outputs must be equal.</summary>
    private async Task<string> BothAsync(string[] arguments, string? input = null, Func<string, string>? normalize = null)
    {
        var bytes = input is null ? null : Encoding.UTF8.GetBytes(input);
        var redis = await RedisTools.CliAsync(fixture.RedisPort, arguments, bytes);
        var silo = await RedisTools.CliAsync(fixture.SiloPort, arguments, bytes);
        Assert.True(redis.ExitCode == 0, "redis-server: " + redis);
        Assert.True(silo.ExitCode == 0, "silo: " + silo);
        var expected = normalize?.Invoke(WithoutTimings(redis.Output)) ?? WithoutTimings(redis.Output);
        var actual = normalize?.Invoke(WithoutTimings(silo.Output)) ?? WithoutTimings(silo.Output);
        Assert.Equal(expected, actual);
        return actual;
    }

    /// <summary>redis-cli adds a "(0.6s)" line after any reply slower than half a second: not part of the reply.</summary>
    private static string WithoutTimings(string output) =>
        System.Text.RegularExpressions.Regex.Replace(output, @"^\(\d+\.\d+s\)\n", "", System.Text.RegularExpressions.RegexOptions.Multiline);

    private static void AppendCommand(StringBuilder output, params string[] arguments)
    {
        output.Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            output.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }
    }

    private static Dictionary<string, string> ParseInfo(string text)
    {
        var fields = new Dictionary<string, string>();
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var colon = line.IndexOf(':');
            Assert.True(colon > 0, $"not a field line: \"{line}\"");
            fields.Add(line[..colon], line[(colon + 1)..]);
        }
        return fields;
    }

    [GeneratedRegex(@"\(integer\) \d+(?=\n5#)")]
    private static partial Regex ConnectionId();
}
