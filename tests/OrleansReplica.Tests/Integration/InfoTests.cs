using System.Text;
using System.Text.RegularExpressions;
using OrleansReplica.Client;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Integration;

/// <summary>INFO sections and field names as in Redis 7.0; commandstats, errorstats and CONFIG RESETSTAT.</summary>
public sealed partial class InfoTests
{
    [Fact]
    public async Task Default_and_everything_list_the_sections_redis_lists()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var silo = await SiloUnderTest.StartAsync();
        await using var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        var client = await silo.ConnectAsync();
        foreach (var selector in new[] { "default", "everything", "all" })
        {
            var expected = Headers((await redisClient.ExecuteAsync("INFO", selector)).AsString()!);
            var actual = Headers((await client.ExecuteAsync("INFO", selector)).AsString()!);
            Assert.True(expected.SequenceEqual(actual), $"INFO {selector}: redis has [{string.Join(", ", expected)}], silo has [{string.Join(", ", actual)}]");
        }
        Assert.Equal(
            Headers((await redisClient.ExecuteAsync("INFO")).AsString()!),
            Headers((await client.ExecuteAsync("INFO")).AsString()!));
    }

    [Theory]
    [InlineData("server")]
    [InlineData("clients")]
    [InlineData("memory")]
    [InlineData("persistence")]
    [InlineData("stats")]
    [InlineData("replication")]
    [InlineData("cpu")]
    public async Task Section_has_the_field_names_redis_has(string section)
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var silo = await SiloUnderTest.StartAsync();
        await using var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        var client = await silo.ConnectAsync();
        var expected = FieldNames((await redisClient.ExecuteAsync("INFO", section)).AsString()!);
        var actual = FieldNames((await client.ExecuteAsync("INFO", section)).AsString()!);
        var missing = expected.Except(actual).ToArray();
        var extra = actual.Except(expected).ToArray();
        Assert.True(missing.Length == 0 && extra.Length == 0,
            $"INFO {section}: missing [{string.Join(", ", missing)}], not in redis [{string.Join(", ", extra)}]");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Replication_section_of_a_master()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        var info = Fields((await client.ExecuteAsync("INFO", "replication")).AsString()!);
        Assert.Equal("master", info["role"]);
        Assert.Equal("0", info["connected_slaves"]);
        Assert.Matches("^[0-9a-f]{40}$", info["master_replid"]);
        Assert.Equal(new string('0', 40), info["master_replid2"]);
        Assert.Matches("^[0-9]+$", info["master_repl_offset"]);
        Assert.Equal("-1", info["second_repl_offset"]);
        Assert.Matches("^[01]$", info["repl_backlog_active"]);
        Assert.Equal("1048576", info["repl_backlog_size"]);
        Assert.Matches("^[0-9]+$", info["repl_backlog_first_byte_offset"]);
        Assert.Matches("^[0-9]+$", info["repl_backlog_histlen"]);
    }

    [Fact]
    public async Task Keyspace_lines_per_database()
    {
        await using var silo = await SiloUnderTest.StartAsync(("shards", "4"));
        var client = await silo.ConnectAsync();
        Assert.Equal("# Keyspace\r\n", (await client.ExecuteAsync("INFO", "keyspace")).AsString());
        await client.ExecuteAsync("MSET", "a", "1", "b", "2", "c", "3");
        await client.ExecuteAsync("SET", "v", "1", "PX", "100000");
        await client.ExecuteAsync("SELECT", "3");
        await client.ExecuteAsync("SET", "x", "1");
        var info = (await client.ExecuteAsync("INFO", "keyspace")).AsString()!;
        var lines = info.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("# Keyspace", lines[0]);
        Assert.Equal(3, lines.Length);
        var db0 = KeyspaceLine().Match(lines[1]);
        Assert.True(db0.Success, lines[1]);
        Assert.Equal(("0", "4", "1"), (db0.Groups["db"].Value, db0.Groups["keys"].Value, db0.Groups["expires"].Value));
        Assert.InRange(long.Parse(db0.Groups["ttl"].Value), 90_000, 100_000);
        Assert.Equal("db3:keys=1,expires=0,avg_ttl=0", lines[2]);
    }

    [Fact]
    public async Task Commandstats_count_calls_and_resetstat_clears_them()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        await client.ExecuteAsync("SET", "x", "1");
        await client.ExecuteAsync("SET", "x", "2");
        await client.ExecuteAsync("SET", "s", "abc");
        Assert.True((await client.ExecuteAsync("INCR", "s")).IsError);
        Assert.True((await client.ExecuteAsync("GET")).IsError);
        var stats = (await client.ExecuteAsync("INFO", "commandstats")).AsString()!;
        Assert.StartsWith("# Commandstats\r\n", stats);
        Assert.Matches(@"\r\ncmdstat_set:calls=3,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n", stats);
        Assert.Matches(@"\r\ncmdstat_incr:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r\n", stats);
        Assert.Matches(@"\r\ncmdstat_get:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0\r\n", stats);

        Assert.Equal("+OK\r\n", await client.RawAsync("CONFIG", "RESETSTAT"));
        stats = (await client.ExecuteAsync("INFO", "commandstats")).AsString()!;
        Assert.DoesNotContain("cmdstat_set:", stats);
        Assert.DoesNotContain("cmdstat_incr:", stats);
        Assert.Contains("cmdstat_config|resetstat:calls=1,", stats);
        Assert.Equal("# Errorstats\r\n", (await client.ExecuteAsync("INFO", "errorstats")).AsString());
    }

    [Fact]
    public async Task Pipelined_runs_of_fast_commands_are_all_counted_and_timed()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        // Runs of one fast command in a batch are timed as a whole: every call must still count,
        // in commandstats and in the latency histogram, however the runs interleave.
        var pipeline = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            pipeline.Append(Wire.Multibulk("GET", "k" + i % 7));
        }
        for (var i = 0; i < 200; i++)
        {
            pipeline.Append(i % 3 == 0 ? Wire.Multibulk("INCR", "n") : Wire.Multibulk("GET", "n"));
        }
        pipeline.Append(Wire.Multibulk("KEYS", "*"));
        pipeline.Append(Wire.Multibulk("GET", "n"));
        await client.SendRawAsync(Wire.Bytes(pipeline.ToString()));
        for (var i = 0; i < 502; i++)
        {
            await client.ReadRawReplyAsync();
        }
        var stats = (await client.ExecuteAsync("INFO", "commandstats")).AsString()!;
        Assert.Matches(@"\r\ncmdstat_get:calls=434,usec=\d+,", stats);
        Assert.Matches(@"\r\ncmdstat_incr:calls=67,usec=\d+,", stats);
        Assert.Matches(@"\r\ncmdstat_keys:calls=1,usec=\d+,", stats);
        var latency = (await client.ExecuteAsync("INFO", "latencystats")).AsString()!;
        Assert.Matches(@"\r\nlatency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n", latency);
        Assert.Matches(@"\r\nlatency_percentiles_usec_incr:p50=", latency);
    }

    [Fact]
    public async Task Info_later_in_a_pipeline_counts_the_commands_before_it()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        var pipeline = Wire.Multibulk("SET", "a", "1") + Wire.Multibulk("SET", "b", "2") + Wire.Multibulk("INCR", "n")
            + Wire.Multibulk("INFO", "persistence") + Wire.Multibulk("INFO", "commandstats");
        await client.SendRawAsync(Wire.Bytes(pipeline));
        for (var i = 0; i < 3; i++)
        {
            await client.ReadRawReplyAsync();
        }
        var persistence = Fields((await client.ReadReplyAsync()).AsString()!);
        Assert.Equal("3", persistence["rdb_changes_since_last_save"]);
        var stats = (await client.ReadReplyAsync()).AsString()!;
        Assert.Matches(@"\r\ncmdstat_set:calls=2,", stats);
        Assert.Matches(@"\r\ncmdstat_incr:calls=1,", stats);
        Assert.Matches(@"\r\ncmdstat_info:calls=1,", stats);
    }

    [Fact]
    public async Task Errorstats_count_errors_by_code()
    {
        await using var silo = await SiloUnderTest.StartAsync();
        var client = await silo.ConnectAsync();
        Assert.Equal("# Errorstats\r\n", (await client.ExecuteAsync("INFO", "errorstats")).AsString());
        await client.ExecuteAsync("SET", "s", "abc");
        await client.ExecuteAsync("INCR", "s");
        await client.ExecuteAsync("NOSUCHCOMMAND");
        await client.ExecuteAsync("HELLO", "9");
        var errors = (await client.ExecuteAsync("INFO", "errorstats")).AsString()!;
        Assert.Equal("# Errorstats\r\nerrorstat_ERR:count=2\r\nerrorstat_NOPROTO:count=1\r\n", errors);
        var stats = Fields((await client.ExecuteAsync("INFO", "stats")).AsString()!);
        Assert.Equal("3", stats["total_error_replies"]);
        Assert.Equal("0", stats["unexpected_error_replies"]);
    }

    private static string[] Headers(string info) =>
        info.Split("\r\n").Where(line => line.StartsWith("# ", StringComparison.Ordinal)).ToArray();

    private static string[] FieldNames(string info) =>
        info.Split("\r\n").Where(line => line.Contains(':') && !line.StartsWith('#')).Select(line => line[..line.IndexOf(':')]).ToArray();

    private static Dictionary<string, string> Fields(string info) =>
        info.Split("\r\n").Where(line => line.Contains(':') && !line.StartsWith('#'))
            .ToDictionary(line => line[..line.IndexOf(':')], line => line[(line.IndexOf(':') + 1)..]);

    [GeneratedRegex(@"^db(?<db>\d+):keys=(?<keys>\d+),expires=(?<expires>\d+),avg_ttl=(?<ttl>\d+)$")]
    private static partial Regex KeyspaceLine();
}
