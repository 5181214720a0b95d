using System.Text;
using OrleansReplica.Hosting.CheckTools;
using OrleansReplica.Hosting.Persistence;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// An AOF directory written by a real redis-server 7.0 (RDB-preamble base after BGREWRITEAOF, then an
/// incremental file ending with a MULTI/EXEC block), built once; every test works on its own copy.
/// </summary>
public sealed class RedisAofSample : IAsyncLifetime
{
    public string Pristine { get; } = Directory.CreateTempSubdirectory("aof-sample-").FullName;

    public async Task InitializeAsync()
    {
        // appendfsync always: every write is in the file before its reply (everysec may postpone it).
        await using var redis = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        var manifest = Path.Combine(redis.Dir, "appendonlydir", "appendonly.aof.manifest");
        await RedisTools.CliOutputAsync(redis.Port, "SET", "k1", "v1");
        await RedisTools.CliOutputAsync(redis.Port, "RPUSH", "list", "a", "b", "c");
        await RedisTools.CliOutputAsync(redis.Port, "BGREWRITEAOF");
        await CheckAofTests.UntilAsync(async () =>
            File.Exists(manifest) && File.ReadAllText(manifest) is var text
            && text.Contains("seq 2 type b", StringComparison.Ordinal) && !text.Contains("type h", StringComparison.Ordinal)
            && (await RedisTools.CliOutputAsync(redis.Port, "INFO", "persistence")).Contains("aof_rewrite_in_progress:0", StringComparison.Ordinal));
        await RedisTools.CliOutputAsync(redis.Port, "SET", "k2", "v2");
        // One connection: the transaction is written to the AOF as MULTI ... EXEC.
        var transaction = await RedisTools.CliAsync(redis.Port, [], Encoding.ASCII.GetBytes("MULTI\nSET k3 v3\nINCR n\nEXEC\n"));
        Assert.True(transaction.ExitCode == 0, transaction.ToString());
        foreach (var file in Directory.GetFiles(Path.Combine(redis.Dir, "appendonlydir")))
        {
            File.Copy(file, Path.Combine(Pristine, Path.GetFileName(file)));
        }
    }

    /// <summary>A fresh copy: <c>&lt;copy&gt;/appendonlydir/...</c>, returned as the copy's dir.</summary>
    public string Copy()
    {
        var dir = Directory.CreateTempSubdirectory("aof-case-").FullName;
        var aofDir = Directory.CreateDirectory(Path.Combine(dir, "appendonlydir")).FullName;
        foreach (var file in Directory.GetFiles(Pristine))
        {
            File.Copy(file, Path.Combine(aofDir, Path.GetFileName(file)));
        }
        return dir;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Pristine, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>silo check-aof</c> (<see cref="CheckAofTool"/>) against redis-check-aof 7.0 on AOF directories a real
/// redis-server wrote: the same output and exit code, fixes that the real tool and server accept.
/// </summary>
public sealed class CheckAofTests(RedisAofSample sample) : IClassFixture<RedisAofSample>, IDisposable
{
    private const string Incr = "appendonly.aof.2.incr.aof";
    private readonly List<string> _dirs = [];

    public void Dispose()
    {
        foreach (var dir in _dirs)
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_directory_written_by_redis_is_valid_for_both_tools()
    {
        var manifest = Manifest(NewCopy());

        var ours = RunOurs(manifest);
        var theirs = await RunRedisAsync(manifest);

        Assert.Equal(0, ours.ExitCode);
        Assert.Contains("RDB preamble is OK, proceeding with AOF tail...", ours.Output);
        Assert.Contains($"INCR AOF {Incr} is valid", ours.Output);
        Assert.EndsWith("All AOF files and manifest are valid\n", ours.Output);
        AssertSame(theirs, ours);
    }

    [Fact]
    public async Task A_truncated_last_incremental_file_is_reported_and_fixed_so_redis_loads_it()
    {
        var ourDir = NewCopy();
        var theirDir = NewCopy();
        foreach (var dir in new[] { ourDir, theirDir })
        {
            // Cut into the EXEC: the whole transaction must go.
            Cut(Path.Combine(dir, "appendonlydir", Incr), 5);
        }

        var check = RunOurs(Manifest(ourDir));
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"AOF {Incr} is not valid. Use the --fix option to try fixing it.", check.Output);
        AssertSame(await RunRedisAsync(Manifest(ourDir)), check);

        var fix = RunOurs("--fix", Manifest(ourDir));
        var theirFix = await RunRedisAsync("--fix", Manifest(theirDir));
        Assert.Equal(0, fix.ExitCode);
        Assert.Matches($"This will shrink the AOF {Incr.Replace(".", "\\.")} from \\d+ bytes, with \\d+ bytes, to \\d+ bytes\n", fix.Output);
        Assert.Contains($"Successfully truncated AOF {Incr}\n", fix.Output);
        AssertSame(theirFix, fix);
        Assert.Equal(File.ReadAllBytes(Path.Combine(theirDir, "appendonlydir", Incr)), File.ReadAllBytes(Path.Combine(ourDir, "appendonlydir", Incr)));

        var recheck = await RunRedisAsync(Manifest(ourDir));
        Assert.True(recheck.ExitCode == 0, recheck.ToString());
        Assert.Equal(0, RunOurs(Manifest(ourDir)).ExitCode);

        await using var redis = await StartRedisOnAsync(ourDir);
        Assert.Equal("v1\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "k1"));
        Assert.Equal("v2\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "k2"));
        Assert.Equal("\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "k3"));
        Assert.Equal("\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "n"));
    }

    [Fact]
    public async Task Garbage_in_the_middle_of_the_last_file_is_cut_away_with_what_follows()
    {
        var ourDir = NewCopy();
        var theirDir = NewCopy();
        foreach (var dir in new[] { ourDir, theirDir })
        {
            var path = Path.Combine(dir, "appendonlydir", Incr);
            var bytes = File.ReadAllBytes(path);
            var multi = bytes.AsSpan().IndexOf("*1\r\n$5\r\nMULTI"u8);
            Assert.True(multi > 0);
            File.WriteAllBytes(path, [.. bytes[..multi], .. "garbage"u8, .. bytes[multi..]]);
        }

        var check = RunOurs(Manifest(ourDir));
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"AOF {Incr} format error\n", check.Output);
        AssertSame(await RunRedisAsync(Manifest(ourDir)), check);

        var fix = RunOurs("--fix", Manifest(ourDir));
        Assert.Equal(0, fix.ExitCode);
        AssertSame(await RunRedisAsync("--fix", Manifest(theirDir)), fix);
        Assert.Equal(0, (await RunRedisAsync(Manifest(ourDir))).ExitCode);

        await using var redis = await StartRedisOnAsync(ourDir);
        Assert.Equal("v2\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "k2"));
        Assert.Equal("\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "k3"));
        Assert.Equal("3\n", await RedisTools.CliOutputAsync(redis.Port, "LLEN", "list"));
    }

    [Fact]
    public async Task A_broken_file_before_the_last_one_is_not_fixable()
    {
        var dir = NewCopy();
        var aofDir = Path.Combine(dir, "appendonlydir");
        File.WriteAllText(Path.Combine(aofDir, "appendonly.aof.3.incr.aof"), "*3\r\n$3\r\nSET\r\n$2\r\nk4\r\n$2\r\nv4\r\n");
        File.AppendAllText(Manifest(dir), "file appendonly.aof.3.incr.aof seq 3 type i\n");
        Cut(Path.Combine(aofDir, Incr), 5);
        var before = File.ReadAllBytes(Path.Combine(aofDir, Incr));

        var check = RunOurs(Manifest(dir));
        Assert.Equal(1, check.ExitCode);
        AssertSame(await RunRedisAsync(Manifest(dir)), check);

        var fix = RunOurs("--fix", Manifest(dir));
        Assert.Equal(1, fix.ExitCode);
        Assert.EndsWith($"Failed to truncate AOF {Incr} because it is not the last file\n", fix.Output);
        AssertSame(await RunRedisAsync("--fix", Manifest(dir)), fix);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(aofDir, Incr)));
    }

    [Fact]
    public async Task A_damaged_rdb_preamble_base_is_not_sane_for_either_tool()
    {
        var dir = NewCopy();
        var basePath = Directory.GetFiles(Path.Combine(dir, "appendonlydir"), "*.base.rdb").Single();
        var bytes = File.ReadAllBytes(basePath);
        bytes[^3] ^= 0xff;
        File.WriteAllBytes(basePath, bytes);

        var ours = RunOurs("--fix", Manifest(dir));
        var theirs = await RunRedisAsync("--fix", Manifest(dir));

        Assert.Equal(1, ours.ExitCode);
        Assert.Equal(1, theirs.ExitCode);
        Assert.Contains("--- RDB ERROR DETECTED ---", ours.Output);
        Assert.EndsWith("RDB preamble of AOF file is not sane, aborting.\n", ours.Output);
        Assert.EndsWith("RDB preamble of AOF file is not sane, aborting.\n", theirs.Output);
        Assert.Equal(bytes, File.ReadAllBytes(basePath));
    }

    [Fact]
    public async Task A_single_file_aof_with_an_rdb_preamble_is_checked_and_fixed_like_redis()
    {
        var dir = NewCopy();
        var aofDir = Path.Combine(dir, "appendonlydir");
        var single = Path.Combine(dir, "appendonly.aof");
        var baseFile = Directory.GetFiles(aofDir, "*.base.rdb").Single();
        File.WriteAllBytes(single, [.. File.ReadAllBytes(baseFile), .. File.ReadAllBytes(Path.Combine(aofDir, Incr))]);
        Cut(single, 3);
        var theirs = Path.Combine(dir, "theirs.aof");
        File.Copy(single, theirs);

        var check = RunOurs(single);
        Assert.Equal(1, check.ExitCode);
        Assert.StartsWith("Start checking Old-Style AOF\n[offset 0] Checking RDB file " + single + "\n", check.Output);
        AssertSame(await RunRedisAsync(single), check);

        var fix = RunOurs("--fix", single);
        var theirFix = await RunRedisAsync("--fix", theirs);
        Assert.Equal(0, fix.ExitCode);
        AssertSame(theirFix, new ToolResult(fix.ExitCode, fix.Output.Replace(single, theirs), ""));
        Assert.Equal(File.ReadAllBytes(theirs), File.ReadAllBytes(single));
    }

    [Fact]
    public async Task A_directory_made_by_AofDirectory_is_accepted_and_loaded_by_redis()
    {
        var dir = Directory.CreateTempSubdirectory("aof-ours-").FullName;
        _dirs.Add(dir);
        var aof = new AofDirectory(dir);
        var first = aof.CreateIncremental();
        File.WriteAllText(aof.PathOf(first), Resp("SELECT", "0") + Resp("SET", "a", "1"));
        // A rewrite: the next incremental file first, then the new base (commands, no preamble).
        var second = aof.CreateIncremental();
        File.WriteAllText(aof.RewriteTempPath(1), Resp("SELECT", "0") + Resp("SET", "a", "1"));
        aof.InstallBase(aof.RewriteTempPath(1), rdbPreamble: false);
        File.WriteAllText(aof.PathOf(second), Resp("SELECT", "0") + Resp("SET", "b", "2") + Resp("MULTI") + Resp("INCR", "c") + Resp("EXEC"));
        Assert.Equal(["appendonly.aof.1.base.aof", "appendonly.aof.2.incr.aof"], aof.Manifest.LoadOrder.Select(entry => entry.FileName));

        var theirs = await RunRedisAsync(aof.ManifestPath);
        var ours = RunOurs(aof.ManifestPath);
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
        AssertSame(theirs, ours);

        await using var redis = await StartRedisOnAsync(dir);
        Assert.Equal("1\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "a"));
        Assert.Equal("2\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "b"));
        Assert.Equal("1\n", await RedisTools.CliOutputAsync(redis.Port, "GET", "c"));
    }

    [Fact]
    public async Task Truncation_to_a_timestamp_agrees_with_redis()
    {
        var ourDir = NewCopy();
        var theirDir = NewCopy();
        foreach (var dir in new[] { ourDir, theirDir })
        {
            File.WriteAllText(Path.Combine(dir, "appendonlydir", Incr),
                "#TS:100\r\n" + Resp("SET", "t1", "x") + "#TS:200\r\n" + Resp("SET", "t2", "y") + "#TS:300\r\n" + Resp("SET", "t3", "z"));
        }

        var ours = RunOurs("--truncate-to-timestamp", "250", Manifest(ourDir));
        var theirs = await RunRedisAsync("--truncate-to-timestamp", "250", Manifest(theirDir));

        Assert.Equal(0, ours.ExitCode);
        Assert.Contains($"Successfully truncated AOF {Incr} to timestamp 250\n", ours.Output);
        AssertSame(theirs, ours);
        Assert.Equal(File.ReadAllBytes(Path.Combine(theirDir, "appendonlydir", Incr)), File.ReadAllBytes(Path.Combine(ourDir, "appendonlydir", Incr)));
    }

    [Fact]
    public void Usage_and_argument_errors_match_redis_check_aof()
    {
        var usage = RunOurs();
        Assert.Equal(1, usage.ExitCode);
        Assert.StartsWith("Usage: silo check-aof [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>\n", usage.Output);
        Assert.Contains("without asking for confirmation", usage.Output);
        Assert.Equal(1, RunOurs("--bogus", "x.aof").ExitCode);
        Assert.Equal(1, RunOurs("a", "b", "c", "d").ExitCode);
        Assert.Equal(new ToolResult(1, "Invalid timestamp, aborting...\n", ""), RunOurs("--truncate-to-timestamp", "12x", "x.aof"));
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir-for-check-aof", "x.aof");
        Assert.Equal(new ToolResult(1, $"Cannot open file {missing}: No such file or directory\n", ""), RunOurs(missing));
    }

    internal static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(20);
        }
    }

    private string NewCopy()
    {
        var dir = sample.Copy();
        _dirs.Add(dir);
        return dir;
    }

    private static string Manifest(string dir) => Path.Combine(dir, "appendonlydir", "appendonly.aof.manifest");

    private static void Cut(string path, int bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(file.Length - bytes);
    }

    private static string Resp(params string[] words) =>
        $"*{words.Length}\r\n" + string.Concat(words.Select(word => $"${Encoding.UTF8.GetByteCount(word)}\r\n{word}\r\n"));

    private static ToolResult RunOurs(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var code = CheckAofTool.Run(args, output);
        return new ToolResult(code, output.ToString(), "");
    }

    /// <summary>
    /// The real redis-check-aof; --fix's confirmation prompt is answered "y" and removed from the output.
    /// The answer comes through a shell pipe: the tool often exits without reading it, and a write of
    /// ours to its closed standard input would fail.
    /// </summary>
    private static async Task<ToolResult> RunRedisAsync(params string[] args)
    {
        Assert.NotNull(RedisServerProcess.FindOnPath("redis-check-aof"));
        var result = await RedisTools.RunAsync("sh", ["-c", "printf 'y\\n' | redis-check-aof \"$@\"", "sh", .. args]);
        return result with { Output = result.Output.Replace("Continue? [y/N]: ", "", StringComparison.Ordinal) };
    }

    private static void AssertSame(ToolResult theirs, ToolResult ours)
    {
        Assert.True(theirs.ExitCode == ours.ExitCode && theirs.Output == ours.Output, $"redis-check-aof:\n{theirs}\n\nsilo check-aof:\n{ours}");
    }

    private static async Task<RedisServerProcess> StartRedisOnAsync(string dir)
    {
        var redis = await RedisServerProcess.StartAsync("--appendonly", "yes", "--dir", dir);
        await UntilAsync(async () => (await RedisTools.CliOutputAsync(redis.Port, "INFO", "persistence")).Contains("loading:0", StringComparison.Ordinal));
        return redis;
    }
}
