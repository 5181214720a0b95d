using System.Globalization;
using System.Text.RegularExpressions;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// redis-benchmark (the Debian package) runs to completion against a silo and reports numbers; the keys it
/// writes hold what Redis would hold afterwards. Timings are reported, never asserted.
/// </summary>
public sealed partial class RedisBenchmarkTests : IAsyncLifetime
{
    private static readonly string[] Tests = ["SET", "GET", "INCR", "MSET (10 keys)"];

    private TestCluster _cluster = null!;

    private int Port => _cluster.Primary.Port;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(1);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task Quiet_run_reports_requests_per_second_for_every_test(int pipeline)
    {
        var result = await RedisTools.BenchmarkAsync(Port,
            ["-t", "set,get,incr,mset", "-n", "2000", "-c", "10", "-P", pipeline.ToString(CultureInfo.InvariantCulture), "-q"],
            TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertNoWarnings(result);
        var rates = new Dictionary<string, double>();
        // Progress lines are overwritten with '\r'; the final line of each test ends with '\n'.
        foreach (var segment in result.Output.Split('\r', '\n'))
        {
            var match = QuietLine().Match(segment);
            if (match.Success)
            {
                rates[match.Groups["test"].Value] = double.Parse(match.Groups["rps"].Value, CultureInfo.InvariantCulture);
            }
        }
        foreach (var test in Tests)
        {
            Assert.True(rates.TryGetValue(test, out var rate), $"no result line for {test}:\n{result}");
            Assert.True(rate > 0, $"{test}: {rate} requests per second");
        }
        await AssertKeyspaceAfterBenchmarkAsync();
    }

    [Fact]
    public async Task Csv_output_parses()
    {
        var result = await RedisTools.BenchmarkAsync(Port,
            ["-t", "set,get,incr,mset", "-n", "2000", "-c", "10", "--csv"],
            TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertNoWarnings(result);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"",
            lines[0]);
        var rows = lines.Skip(1).Select(static line => line.Split(',').Select(static cell => cell.Trim('"')).ToArray()).ToList();
        Assert.Equal(Tests, rows.Select(static row => row[0]));
        foreach (var row in rows)
        {
            Assert.Equal(8, row.Length);
            var numbers = row.Skip(1).Select(static cell => double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(numbers[0] > 0, $"{row[0]}: rps {numbers[0]}");
            Assert.All(numbers, static n => Assert.True(n >= 0 && double.IsFinite(n)));
        }
        await AssertKeyspaceAfterBenchmarkAsync();
    }

    // Without -r every test uses one fixed key name; 2000 INCRs leave 2000 in the counter.
    private async Task AssertKeyspaceAfterBenchmarkAsync()
    {
        Assert.Equal("2000\n", await RedisTools.CliOutputAsync(Port, "GET", "counter:__rand_int__"));
        // -d 3: SET and MSET write 3-byte values.
        Assert.Equal("3\n", await RedisTools.CliOutputAsync(Port, "STRLEN", "key:__rand_int__"));
        Assert.Equal("2\n", await RedisTools.CliOutputAsync(Port, "DBSIZE"));
    }

    // redis-benchmark warns when CONFIG GET save/appendonly fails, and prints server errors it receives.
    private static void AssertNoWarnings(ToolResult result)
    {
        Assert.DoesNotContain("WARN", result.Output + result.Errors, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ERR", result.Output + result.Errors, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s*(?<test>[A-Z][A-Za-z0-9 ()]*): (?<rps>[0-9.]+) requests per second")]
    private static partial Regex QuietLine();
}
