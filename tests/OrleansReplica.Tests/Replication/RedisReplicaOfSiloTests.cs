using System.Text;
using OrleansReplica.Client;
using OrleansReplica.TestingHost;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Replication;

/// <summary>
/// A real redis-server 7.0 as the replica of a silo: full sync (diskless and from disk), the stream,
/// partial resync after a link kill, full resync when the backlog is too small, one snapshot shared
/// by replicas that ask together, writes during a full sync, WAIT.
/// </summary>
public sealed class RedisReplicaOfSiloTests
{
    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public async Task A_redis_replica_gets_a_full_sync_then_the_stream(string diskless)
    {
        await using var master = await StartMasterAsync(("repl-diskless-sync", diskless));
        var client = await master.ConnectAsync();
        await SampleWrites.WriteAsync(client, "before");

        await using var replica = await RedisServerProcess.StartAsync("--replicaof", "127.0.0.1", master.Port.ToString());
        var replicaClient = await RedisConnection.ConnectAsync("127.0.0.1", replica.Port);
        await ReplicationAssert.InSyncAsync(client, replicaClient);

        await SampleWrites.WriteAsync(client, "after");
        await ReplicationAssert.InSyncAsync(client, replicaClient);

        var info = await Wire.InfoAsync(client, "replication");
        Assert.Equal("1", info["connected_slaves"]);
        Assert.Matches($"^ip=127.0.0.1,port={replica.Port},state=online,offset=\\d+,lag=\\d+$", info["slave0"]);
        Assert.Equal("1", info["repl_backlog_active"]);
        Assert.Equal("1", (await Wire.InfoAsync(client, "stats"))["sync_full"]);
        var role = (await client.ExecuteAsync("ROLE")).AsList();
        Assert.Equal("master", role[0].AsString());
        Assert.Equal(replica.Port.ToString(), role[2].AsList()[0].AsList()[1].AsString());
    }

    [Fact]
    public async Task A_killed_link_continues_with_a_partial_resync()
    {
        await using var master = await StartMasterAsync();
        var client = await master.ConnectAsync();
        await SampleWrites.WriteAsync(client, "a");
        await using var replica = await RedisServerProcess.StartAsync("--replicaof", "127.0.0.1", master.Port.ToString());
        var replicaClient = await RedisConnection.ConnectAsync("127.0.0.1", replica.Port);
        await ReplicationAssert.InSyncAsync(client, replicaClient);

        Assert.Equal(1, (await replicaClient.ExecuteAsync("CLIENT", "KILL", "TYPE", "master")).AsInt64());
        await SampleWrites.WriteAsync(client, "during the gap");
        await ReplicationAssert.InSyncAsync(client, replicaClient);

        var stats = await Wire.InfoAsync(client, "stats");
        Assert.Equal("1", stats["sync_full"]);
        Assert.Equal("1", stats["sync_partial_ok"]);
    }

    [Fact]
    public async Task A_gap_larger_than_the_backlog_needs_a_full_resync()
    {
        await using var master = await StartMasterAsync(("repl-backlog-size", "16kb"));
        var client = await master.ConnectAsync();
        await using var replica = await RedisServerProcess.StartAsync("--replicaof", "127.0.0.1", master.Port.ToString());
        var replicaClient = await RedisConnection.ConnectAsync("127.0.0.1", replica.Port);
        await ReplicationAssert.InSyncAsync(client, replicaClient);

        // Stop the replica from reconnecting while the master writes far more than the backlog holds.
        await replicaClient.ExecuteAsync("REPLICAOF", "NO", "ONE");
        for (var i = 0; i < 20; i++)
        {
            await client.ExecuteAsync("SET", $"big:{i}", new string('x', 4000));
        }
        await replicaClient.ExecuteAsync("REPLICAOF", "127.0.0.1", master.Port.ToString());
        await ReplicationAssert.InSyncAsync(client, replicaClient);

        var stats = await Wire.InfoAsync(client, "stats");
        Assert.Equal("2", stats["sync_full"]);
        Assert.Equal("1", stats["sync_partial_err"]);
    }

    [Fact]
    public async Task Replicas_asking_together_share_one_snapshot()
    {
        await using var master = await StartMasterAsync(("repl-diskless-sync-delay", "1"), ("loglevel", "notice"));
        var client = await master.ConnectAsync();
        await SampleWrites.WriteAsync(client, "shared");

        var starting = new[] { StartReplicaAsync(master.Port), StartReplicaAsync(master.Port) };
        var replicas = await Task.WhenAll(starting);
        try
        {
            foreach (var replica in replicas)
            {
                await ReplicationAssert.InSyncAsync(client, await RedisConnection.ConnectAsync("127.0.0.1", replica.Port));
            }
            Assert.Equal("2", (await Wire.InfoAsync(client, "stats"))["sync_full"]);
            var log = await File.ReadAllTextAsync(Path.Combine(master.Silo.Config.Dir, "silo.log"));
            Assert.Single(log.Split('\n'), line => line.Contains("Starting BGSAVE for SYNC"));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Writes_during_a_full_sync_reach_the_replica_once()
    {
        await using var master = await StartMasterAsync(("shards", "4"));
        var client = await master.ConnectAsync();
        await SampleWrites.PipelineKeysAsync(client, 50_000);
        var writer = await master.ConnectAsync();
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                await writer.ExecuteAsync("INCR", $"counter:{i % 50}");
                await writer.ExecuteAsync("APPEND", $"key:{i * 7 % 50_000}", "+");
                i++;
            }
        });

        await using var replica = await RedisServerProcess.StartAsync("--replicaof", "127.0.0.1", master.Port.ToString());
        var replicaClient = await RedisConnection.ConnectAsync("127.0.0.1", replica.Port);
        // The full sync runs while the writer keeps writing; it stops once the replica is streaming.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while ((await Wire.InfoAsync(replicaClient, "replication"))["master_link_status"] != "up")
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60),
                $"no link after 60 s.\nmaster: {ReplicationAssert.Describe(await Wire.InfoAsync(client, "replication"))}\nreplica: {ReplicationAssert.Describe(await Wire.InfoAsync(replicaClient, "replication"))}");
            await Task.Delay(5);
        }
        stop.Cancel();
        await writes;

        await ReplicationAssert.InSyncAsync(client, replicaClient);
    }

    [Fact]
    public async Task Wait_counts_the_replicas_that_acknowledged_the_clients_writes()
    {
        await using var master = await StartMasterAsync();
        var client = await master.ConnectAsync();
        await using var replica = await RedisServerProcess.StartAsync("--replicaof", "127.0.0.1", master.Port.ToString());
        await ReplicationAssert.InSyncAsync(client, await RedisConnection.ConnectAsync("127.0.0.1", replica.Port));

        await client.ExecuteAsync("SET", "k", "v");
        Assert.Equal(1, (await client.ExecuteAsync("WAIT", "1", "5000")).AsInt64());
        Assert.Equal(1, (await client.ExecuteAsync("WAIT", "2", "200")).AsInt64());
        Assert.Equal("ERR timeout is negative", (await client.ExecuteAsync("WAIT", "1", "-1")).AsString());
    }

    private static Task<SiloUnderTest> StartMasterAsync(params (string Name, string Value)[] settings) =>
        SiloUnderTest.StartAsync([("repl-diskless-sync-delay", "0"), .. settings]);

    private static Task<RedisServerProcess> StartReplicaAsync(int masterPort) =>
        RedisServerProcess.StartAsync("--replicaof", "127.0.0.1", masterPort.ToString());
}
