using System.Diagnostics;
using OrleansReplica.Client;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.ProcessLevel;

/// <summary>
/// What a kill -9 of the silo process loses: with appendfsync always, no acknowledged write; with
/// everysec, at most about the last second of them. SIGTERM saves when save points are set.
/// </summary>
public sealed class AofDurabilityTests : SiloProcessTestBase
{
    [Fact]
    public async Task With_appendfsync_always_every_acknowledged_write_survives_kill_9()
    {
        var port = RedisServerProcess.FreePort();
        var arguments = new[] { "--port", Text(port), "--save", "", "--appendonly", "yes", "--appendfsync", "always" };
        var silo = await StartListeningAsync(port, arguments);
        var client = await RedisConnection.ConnectAsync("127.0.0.1", port);
        var acknowledged = 0;
        for (; acknowledged < 500; acknowledged++)
        {
            Assert.Equal("OK", (await client.ExecuteAsync("SET", $"key:{acknowledged}", $"value:{acknowledged}")).AsString());
        }
        silo.Signal(SiloProcess.SigKill);
        await silo.WaitForExitAsync(StopTimeout);

        await StartListeningAsync(port, arguments);
        var again = await RedisConnection.ConnectAsync("127.0.0.1", port);
        Assert.Equal(acknowledged, (await again.ExecuteAsync("DBSIZE")).AsInt64());
        Assert.Equal("value:499", (await again.ExecuteAsync("GET", "key:499")).AsString());
    }

    [Fact]
    public async Task With_appendfsync_everysec_kill_9_loses_at_most_about_a_second()
    {
        var port = RedisServerProcess.FreePort();
        var arguments = new[] { "--port", Text(port), "--save", "", "--appendonly", "yes", "--appendfsync", "everysec" };
        var silo = await StartListeningAsync(port, arguments);
        var client = await RedisConnection.ConnectAsync("127.0.0.1", port);
        // Writes for a while, remembering when each one was acknowledged.
        var acknowledgedAt = new List<long>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            await client.ExecuteAsync("SET", $"key:{acknowledgedAt.Count}", "v");
            acknowledgedAt.Add(clock.ElapsedMilliseconds);
        }
        var killedAt = clock.ElapsedMilliseconds;
        silo.Signal(SiloProcess.SigKill);
        await silo.WaitForExitAsync(StopTimeout);

        await StartListeningAsync(port, arguments);
        var again = await RedisConnection.ConnectAsync("127.0.0.1", port);
        var survived = (await again.ExecuteAsync("DBSIZE")).AsInt64();
        // Writes are kept in order: the survivors are a prefix. Everything acknowledged more than
        // about a second (plus scheduling slack on a busy machine) before the kill is among them.
        var olderThanASecond = acknowledgedAt.Count(at => at < killedAt - 1500);
        Assert.True(survived >= olderThanASecond, $"{survived} writes survived, {olderThanASecond} were acknowledged more than 1.5 s before the kill");
        Assert.Equal(survived > 0 ? "v" : null, (await again.ExecuteAsync("GET", $"key:{Math.Max(0, survived - 1)}")).AsString());
    }

    [Fact]
    public async Task Sigterm_saves_the_dataset_when_save_points_are_set()
    {
        var port = RedisServerProcess.FreePort();
        var arguments = new[] { "--port", Text(port), "--save", "3600 1000" };
        var silo = await StartListeningAsync(port, arguments);
        var client = await RedisConnection.ConnectAsync("127.0.0.1", port);
        await client.ExecuteAsync("SET", "saved", "on sigterm");

        silo.Signal(SiloProcess.SigTerm);
        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));

        Assert.Contains("Saving the final RDB snapshot before exiting.", silo.Output);
        Assert.True(File.Exists(Path.Combine(WorkDir, "dump.rdb")));
        await StartListeningAsync(port, arguments);
        var again = await RedisConnection.ConnectAsync("127.0.0.1", port);
        Assert.Equal("on sigterm", (await again.ExecuteAsync("GET", "saved")).AsString());
    }
}
