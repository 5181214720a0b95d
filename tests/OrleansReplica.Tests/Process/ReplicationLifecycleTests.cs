using OrleansReplica.Client;
using OrleansReplica.TestingHost;
using OrleansReplica.Tests.Integration;
using OrleansReplica.Tests.Replication;

namespace OrleansReplica.Tests.ProcessLevel;

/// <summary>
/// As the seeds show with redis-server: a relation made with REPLICAOF is temporary (a restarted
/// replica comes back as a master) unless CONFIG REWRITE writes it into the config file.
/// </summary>
public sealed class ReplicationLifecycleTests : SiloProcessTestBase
{
    [Fact]
    public async Task Replicaof_is_temporary_until_config_rewrite_persists_it()
    {
        var masterPort = RedisServerProcess.FreePort();
        var replicaPort = RedisServerProcess.FreePort();
        var masterDir = Directory.CreateDirectory(Path.Combine(WorkDir, "master")).FullName;
        var replicaDir = Directory.CreateDirectory(Path.Combine(WorkDir, "replica")).FullName;
        var config = Path.Combine(replicaDir, "replica.conf");
        await File.WriteAllTextAsync(config, $"port {replicaPort}\nsave \"\"\ndir {replicaDir}\nrepl-diskless-sync-delay 0\n");
        await StartListeningAsync(masterPort, ["--port", Text(masterPort), "--save", "", "--dir", masterDir, "--repl-diskless-sync-delay", "0"]);
        var master = await RedisConnection.ConnectAsync("127.0.0.1", masterPort);
        await master.ExecuteAsync("SET", "k", "v");

        var replica = await StartListeningAsync(replicaPort, [config]);
        var replicaClient = await RedisConnection.ConnectAsync("127.0.0.1", replicaPort);
        Assert.Equal("OK", (await replicaClient.ExecuteAsync("REPLICAOF", "127.0.0.1", Text(masterPort))).AsString());
        await ReplicationAssert.InSyncAsync(master, replicaClient);

        replica = await RestartAsync(replica, replicaPort, config);
        replicaClient = await RedisConnection.ConnectAsync("127.0.0.1", replicaPort);
        Assert.Equal("master", (await replicaClient.InfoAsync("replication"))["role"]);

        await replicaClient.ExecuteAsync("REPLICAOF", "127.0.0.1", Text(masterPort));
        Assert.Equal("OK", (await replicaClient.ExecuteAsync("CONFIG", "REWRITE")).AsString());
        Assert.Contains($"replicaof 127.0.0.1 {masterPort}", await File.ReadAllTextAsync(config));

        await RestartAsync(replica, replicaPort, config);
        replicaClient = await RedisConnection.ConnectAsync("127.0.0.1", replicaPort);
        await master.ExecuteAsync("SET", "after", "restart");
        await ReplicationAssert.InSyncAsync(master, replicaClient);
        Assert.Equal("slave", (await replicaClient.InfoAsync("replication"))["role"]);
        Assert.Equal("restart", (await replicaClient.ExecuteAsync("GET", "after")).AsString());
    }

    private async Task<SiloProcess> RestartAsync(SiloProcess silo, int port, string config)
    {
        silo.Signal(SiloProcess.SigTerm);
        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        return await StartListeningAsync(port, [config]);
    }
}
