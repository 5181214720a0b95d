using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Hosting.Server;
using OrleansReplica.TestingHost;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Replication;

/// <summary>Silo replication over TCP, the Redis protocol on loopback sockets.</summary>
public sealed class TcpSiloReplicationTests() : SiloReplicationTests(inMemory: false);

/// <summary>The same behaviours over in-memory links, plus faults injected by cutting links.</summary>
public sealed class InMemorySiloReplicationTests() : SiloReplicationTests(inMemory: true)
{
    [Fact]
    public async Task A_cut_link_comes_back_with_a_partial_resync()
    {
        var (master, client) = await StartMasterAsync();
        var (_, replicaClient) = await StartReplicaAsync(master);
        await SampleWrites.WriteAsync(client, "before the cut");
        await ReplicationAssert.InSyncAsync(client, replicaClient);

        for (var cut = 1; cut <= 3; cut++)
        {
            Cluster.Network!.Sever(master.Port);
            await SampleWrites.WriteAsync(client, $"after cut {cut}");
            await ReplicationAssert.InSyncAsync(client, replicaClient);
        }

        var stats = await client.InfoAsync("stats");
        Assert.Equal("1", stats["sync_full"]);
        Assert.Equal("3", stats["sync_partial_ok"]);
        Assert.Equal(1, Cluster.Network!.LinksTo(master.Port));
    }
}

/// <summary>
/// Silos replicating from silos, in one TestCluster: one master and two replicas, as the seeds'
/// 6379/6380/6381 set-up. Each behaviour the seeds describe, checked with DEBUG DIGEST at equal offsets.
/// </summary>
public abstract class SiloReplicationTests(bool inMemory) : IAsyncLifetime
{
    protected TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(0, inMemoryReplication: inMemory);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    [Fact]
    public async Task One_master_two_replicas_hold_the_same_data_at_the_same_offset()
    {
        var (master, client) = await StartMasterAsync();
        await SampleWrites.WriteAsync(client, "before");
        var replicas = new[] { await StartReplicaAsync(master), await StartReplicaAsync(master) };

        await SampleWrites.WriteAsync(client, "after");
        foreach (var (_, replicaClient) in replicas)
        {
            await ReplicationAssert.InSyncAsync(client, replicaClient);
            Assert.Equal("slave", (await replicaClient.ExecuteAsync("ROLE")).AsList()[0].AsString());
        }
        var info = await client.InfoAsync("replication");
        Assert.Equal("2", info["connected_slaves"]);
        Assert.Contains("state=online", info["slave1"]);
        var replicaLinks = (await client.ExecuteAsync("CLIENT", "LIST", "TYPE", "replica")).AsString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, replicaLinks.Length);
        Assert.All(replicaLinks, line => Assert.Contains(" flags=S ", line));
        Assert.Contains(" flags=M ", (await replicas[0].Client.ExecuteAsync("CLIENT", "LIST", "TYPE", "master")).AsString());
    }

    [Fact]
    public async Task A_replica_refuses_client_writes()
    {
        var (master, _) = await StartMasterAsync();
        var (_, replicaClient) = await StartReplicaAsync(master);

        Assert.Equal("READONLY You can't write against a read only replica.", (await replicaClient.ExecuteAsync("SET", "k", "v")).AsString());
        Assert.Equal("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.",
            (await replicaClient.ExecuteAsync("WAIT", "1", "0")).AsString());
    }

    [Fact]
    public async Task A_killed_link_resumes_with_a_partial_resync_and_a_small_backlog_forces_a_full_one()
    {
        var (master, client) = await StartMasterAsync(("repl-backlog-size", "16kb"), ("loglevel", "notice"));
        var (_, replicaClient) = await StartReplicaAsync(master);
        await SampleWrites.WriteAsync(client, "first");
        await ReplicationAssert.InSyncAsync(client, replicaClient);

        Assert.Equal(1, (await replicaClient.ExecuteAsync("CLIENT", "KILL", "TYPE", "master")).AsInt64());
        await SampleWrites.WriteAsync(client, "small gap");
        await ReplicationAssert.InSyncAsync(client, replicaClient);
        var stats = await client.InfoAsync("stats");
        Assert.True(stats["sync_full"] == "1", await File.ReadAllTextAsync(Path.Combine(master.Config.Dir, "silo.log")));
        Assert.Equal("1", stats["sync_partial_ok"]);

        await replicaClient.ExecuteAsync("REPLICAOF", "NO", "ONE");
        for (var i = 0; i < 20; i++)
        {
            await client.ExecuteAsync("SET", $"big:{i}", new string('x', 4000));
        }
        await replicaClient.ExecuteAsync("REPLICAOF", "127.0.0.1", master.Port.ToString());
        await ReplicationAssert.InSyncAsync(client, replicaClient);
        stats = await client.InfoAsync("stats");
        Assert.Equal("2", stats["sync_full"]);
        Assert.True(stats["sync_partial_err"] == "1", await File.ReadAllTextAsync(Path.Combine(master.Config.Dir, "silo.log")));
    }

    [Fact]
    public async Task Writes_under_sustained_load_during_a_full_sync_reach_the_replica()
    {
        var (master, client) = await StartMasterAsync(("shards", "4"));
        await SampleWrites.PipelineKeysAsync(client, 30_000);
        var writer = await ConnectAsync(master);
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                await writer.ExecuteAsync("INCR", $"counter:{i % 50}");
                await writer.ExecuteAsync("APPEND", $"key:{i * 7 % 30_000}", "+");
                await writer.ExecuteAsync("SET", $"new:{i}", "x", "EX", "1000");
                i++;
            }
        });

        var (_, replicaClient) = await StartReplicaAsync(master);
        await Wire.WaitUntilAsync(async () => (await replicaClient.InfoAsync("replication"))["master_link_status"] == "up", "the link to come up", TimeSpan.FromSeconds(60));
        stop.Cancel();
        await writes;

        await ReplicationAssert.InSyncAsync(client, replicaClient);
    }

    [Fact]
    public async Task Replicas_asking_together_share_one_snapshot()
    {
        var (master, client) = await StartMasterAsync(("repl-diskless-sync-delay", "1"), ("loglevel", "notice"));
        await SampleWrites.WriteAsync(client, "shared");
        var first = StartReplicaAsync(master, waitForSync: false);
        var second = StartReplicaAsync(master, waitForSync: false);
        var replicas = await Task.WhenAll(first, second);

        foreach (var (_, replicaClient) in replicas)
        {
            await ReplicationAssert.InSyncAsync(client, replicaClient);
        }
        Assert.Equal("2", (await client.InfoAsync("stats"))["sync_full"]);
        var log = await File.ReadAllTextAsync(Path.Combine(master.Config.Dir, "silo.log"));
        Assert.Single(log.Split('\n'), line => line.Contains("Starting BGSAVE for SYNC"));
    }

    [Fact]
    public async Task Replicaof_inside_a_transaction_switches_while_the_stream_is_applied()
    {
        var (master, client) = await StartMasterAsync(("shards", "4"));
        var (_, replicaClient) = await StartReplicaAsync(master);
        var writer = await ConnectAsync(master);
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await writer.ExecuteAsync("SET", $"key:{i % 500}", $"value:{i}");
            }
        });

        // EXEC holds shard turns the link's stream may be waiting for: the switch must not wait for the link.
        for (var round = 0; round < 3; round++)
        {
            await replicaClient.ExecuteAsync("MULTI");
            await replicaClient.ExecuteAsync("GET", "key:1");
            await replicaClient.ExecuteAsync("REPLICAOF", "NO", "ONE");
            Assert.Equal("OK", (await replicaClient.ExecuteAsync("EXEC")).AsList()[1].AsString());
            await Wire.WaitUntilAsync(async () => (await replicaClient.ExecuteAsync("ROLE")).AsList()[0].AsString() == "master", "the replica to become a master");

            await replicaClient.ExecuteAsync("MULTI");
            await replicaClient.ExecuteAsync("GET", "key:1");
            await replicaClient.ExecuteAsync("REPLICAOF", "127.0.0.1", master.Port.ToString());
            Assert.Equal("OK", (await replicaClient.ExecuteAsync("EXEC")).AsList()[1].AsString());
            await Wire.WaitUntilAsync(async () => (await replicaClient.InfoAsync("replication"))["master_link_status"] == "up", "the link to come up again");
        }
        stop.Cancel();
        await writes;

        await ReplicationAssert.InSyncAsync(client, replicaClient);
    }

    [Fact]
    public async Task Replicaof_another_master_flushes_the_old_data()
    {
        var (first, firstClient) = await StartMasterAsync();
        var (second, secondClient) = await StartMasterAsync();
        await firstClient.ExecuteAsync("SET", "from", "first");
        await secondClient.ExecuteAsync("SET", "only", "second");
        var (_, replicaClient) = await StartReplicaAsync(first);
        Assert.Equal("first", (await replicaClient.ExecuteAsync("GET", "from")).AsString());

        Assert.Equal("OK", (await replicaClient.ExecuteAsync("REPLICAOF", "127.0.0.1", second.Port.ToString())).AsString());
        await ReplicationAssert.InSyncAsync(secondClient, replicaClient);

        Assert.Null((await replicaClient.ExecuteAsync("GET", "from")).AsString());
        Assert.Equal("second", (await replicaClient.ExecuteAsync("GET", "only")).AsString());
    }

    [Fact]
    public async Task A_master_with_requirepass_needs_masterauth()
    {
        var (master, _) = await StartMasterAsync(("requirepass", "secret"));
        var client = await ConnectAsync(master);
        await client.ExecuteAsync("AUTH", "secret");
        await client.ExecuteAsync("SET", "k", "v");

        var (_, replicaClient) = await StartReplicaAsync(master, waitForSync: false, ("masterauth", "secret"));
        await ReplicationAssert.InSyncAsync(client, replicaClient);
        Assert.Equal("v", (await replicaClient.ExecuteAsync("GET", "k")).AsString());
    }

    [Fact]
    public async Task Wait_and_min_replicas_to_write_count_acknowledging_replicas()
    {
        var (master, client) = await StartMasterAsync(("min-replicas-to-write", "1"), ("min-replicas-max-lag", "10"));
        Assert.Equal("NOREPLICAS Not enough good replicas to write.", (await client.ExecuteAsync("SET", "k", "v")).AsString());

        var (_, replicaClient) = await StartReplicaAsync(master);
        await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("SET", "k", "v")).AsString() == "OK", "a good replica to count");
        Assert.Equal(1, (await client.ExecuteAsync("WAIT", "1", "5000")).AsInt64());
        Assert.Equal(1, (await client.ExecuteAsync("WAIT", "2", "100")).AsInt64());
        await ReplicationAssert.InSyncAsync(client, replicaClient);
    }

    [Fact]
    public async Task A_chained_replica_keeps_the_top_masters_offsets_and_id()
    {
        var (master, client) = await StartMasterAsync(("repl-ping-replica-period", "1"));
        var (middle, middleClient) = await StartReplicaAsync(master);
        var (_, leafClient) = await StartReplicaAsync(middle);
        await SampleWrites.WriteAsync(client, "chained");

        await ReplicationAssert.InSyncAsync(client, middleClient);
        await ReplicationAssert.InSyncAsync(client, leafClient);
        var masterInfo = await client.InfoAsync("replication");
        var leafInfo = await leafClient.InfoAsync("replication");
        Assert.Equal(masterInfo["master_replid"], leafInfo["master_replid"]);
    }

    [Fact]
    public async Task Promotion_lets_the_other_replicas_continue_partially()
    {
        var (master, client) = await StartMasterAsync();
        var (promoted, promotedClient) = await StartReplicaAsync(master);
        var (_, otherClient) = await StartReplicaAsync(master);
        await SampleWrites.WriteAsync(client, "history");
        await ReplicationAssert.InSyncAsync(client, promotedClient);
        await ReplicationAssert.InSyncAsync(client, otherClient);
        var oldId = (await client.InfoAsync("replication"))["master_replid"];

        Assert.Equal("OK", (await promotedClient.ExecuteAsync("REPLICAOF", "NO", "ONE")).AsString());
        var promotedInfo = await promotedClient.InfoAsync("replication");
        Assert.Equal("master", promotedInfo["role"]);
        Assert.Equal(oldId, promotedInfo["master_replid2"]);

        await otherClient.ExecuteAsync("REPLICAOF", "127.0.0.1", promoted.Port.ToString());
        await promotedClient.ExecuteAsync("SET", "after", "promotion");
        await ReplicationAssert.InSyncAsync(promotedClient, otherClient);
        Assert.Equal("1", (await promotedClient.InfoAsync("stats"))["sync_partial_ok"]);
    }

    [Fact]
    public async Task A_replica_restarted_from_its_saved_rdb_continues_with_a_partial_resync()
    {
        var (master, client) = await StartMasterAsync();
        var replicaDir = Directory.CreateTempSubdirectory("replica-data-").FullName;
        try
        {
            var (replica, replicaClient) = await StartReplicaAsync(master, ("dir", replicaDir));
            await SampleWrites.WriteAsync(client, "before the restart");
            await ReplicationAssert.InSyncAsync(client, replicaClient);
            Assert.Equal("OK", (await replicaClient.ExecuteAsync("SAVE")).AsString());
            await Cluster.StopSiloAsync(replica);

            await SampleWrites.WriteAsync(client, "while it was down");
            var (_, restartedClient) = await StartReplicaAsync(master, ("dir", replicaDir));
            await ReplicationAssert.InSyncAsync(client, restartedClient);

            var stats = await client.InfoAsync("stats");
            Assert.Equal("1", stats["sync_full"]);
            Assert.Equal("1", stats["sync_partial_ok"]);
        }
        finally
        {
            Directory.Delete(replicaDir, recursive: true);
        }
    }

    protected async Task<(Silo Silo, RedisConnection Client)> StartMasterAsync(params (string Name, string Value)[] settings)
    {
        var silo = await StartSiloAsync([("repl-diskless-sync-delay", "0"), .. settings]);
        return (silo, await ConnectAsync(silo));
    }

    protected Task<(Silo Silo, RedisConnection Client)> StartReplicaAsync(Silo master, params (string Name, string Value)[] settings) =>
        StartReplicaAsync(master, waitForSync: true, settings);

    private async Task<(Silo Silo, RedisConnection Client)> StartReplicaAsync(Silo master, bool waitForSync, params (string Name, string Value)[] settings)
    {
        var silo = await StartSiloAsync([("repl-diskless-sync-delay", "0"), ("replicaof", $"127.0.0.1 {master.Port}"), .. settings]);
        var client = await ConnectAsync(silo);
        if (waitForSync)
        {
            await Wire.WaitUntilAsync(async () => (await client.InfoAsync("replication"))["master_link_status"] == "up", "the replica's link to come up");
        }
        return (silo, client);
    }

    private Task<Silo> StartSiloAsync((string Name, string Value)[] settings) =>
        Cluster.StartSiloAsync(builder =>
        {
            foreach (var (name, value) in settings)
            {
                builder.Configure(name, value);
            }
        });

    private static Task<RedisConnection> ConnectAsync(Silo silo) => RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
}
