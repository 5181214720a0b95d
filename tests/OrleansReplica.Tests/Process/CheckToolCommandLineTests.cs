using OrleansReplica.Client;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.ProcessLevel;

/// <summary>`silo check-rdb` and `silo check-aof` work from the command line like redis-check-rdb and redis-check-aof.</summary>
public sealed class CheckToolCommandLineTests : SiloProcessTestBase
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Check_rdb_and_check_aof_validate_the_silos_own_files()
    {
        var port = RedisServerProcess.FreePort();
        var silo = await StartListeningAsync(port, ["--port", Text(port), "--save", "", "--appendonly", "yes"]);
        var client = await RedisConnection.ConnectAsync("127.0.0.1", port);
        await client.ExecuteAsync("SET", "k", "v");
        await client.ExecuteAsync("SAVE");
        silo.Signal(SiloProcess.SigTerm);
        await silo.WaitForExitAsync(StopTimeout);

        var checkRdb = Start("check-rdb", Path.Combine(WorkDir, "dump.rdb"));
        Assert.Equal(0, await checkRdb.WaitForExitAsync(ToolTimeout));
        Assert.Contains("\\o/ RDB looks OK! \\o/", checkRdb.Output);

        var manifest = Path.Combine(WorkDir, "appendonlydir", "appendonly.aof.manifest");
        var checkAof = Start("check-aof", manifest);
        Assert.Equal(0, await checkAof.WaitForExitAsync(ToolTimeout));
        Assert.Contains("All AOF files and manifest are valid", checkAof.Output);

        // A torn last command: reported, then cut off with --fix.
        var incremental = Path.Combine(WorkDir, "appendonlydir", "appendonly.aof.1.incr.aof");
        await File.AppendAllTextAsync(incremental, "*2\r\n$3\r\nDEL");
        var broken = Start("check-aof", manifest);
        Assert.Equal(1, await broken.WaitForExitAsync(ToolTimeout));
        var fix = Start("check-aof", "--fix", manifest);
        Assert.Equal(0, await fix.WaitForExitAsync(ToolTimeout));
        Assert.Contains("Successfully truncated AOF", fix.Output);
        Assert.Equal(0, await Start("check-aof", manifest).WaitForExitAsync(ToolTimeout));

        var corrupt = Path.Combine(WorkDir, "corrupt.rdb");
        var bytes = await File.ReadAllBytesAsync(Path.Combine(WorkDir, "dump.rdb"));
        bytes[^3] ^= 0x55;
        await File.WriteAllBytesAsync(corrupt, bytes);
        var refused = Start("check-rdb", corrupt);
        Assert.Equal(1, await refused.WaitForExitAsync(ToolTimeout));
        Assert.Contains("RDB ERROR DETECTED", refused.Output);
    }
}
