using System.IO.Pipelines;
using System.Net;
using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Hosting.Clients;
using OrleansReplica.Hosting.Replication.Master;
using OrleansReplica.Hosting.Server;
using OrleansReplica.TestingHost;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Replication;

/// <summary>
/// Full syncs as resync grains: one activation per sync, whose window (repl-diskless-sync-delay,
/// repl-diskless-sync-max-replicas) decides which replicas share its snapshot. The first tests call
/// the grain with replicas that only record what they are sent; the others attach real replica silos.
/// </summary>
public sealed class ResyncGrainTests : IAsyncLifetime
{
    private readonly List<ReplicaSender> _senders = [];

    private TestCluster Cluster { get; set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(0);

    public async Task DisposeAsync()
    {
        foreach (var sender in _senders)
        {
            sender.Close();
        }
        await Cluster.DisposeAsync();
    }

    [Fact]
    public async Task Joins_within_the_window_are_answered_before_the_cut()
    {
        var master = await StartSiloAsync(("repl-diskless-sync-delay", "3600"));
        var (first, firstOutput) = FakeReplica(master);
        var (second, secondOutput) = FakeReplica(master);
        var sync = master.Grains.GetGrain<IResyncGrain>(master.Replication.ResyncKey);

        Assert.True(await sync.JoinAsync(first));
        Assert.True(await sync.JoinAsync(second));

        Assert.Equal(0, master.Replication.ResyncKey);
        Assert.Equal(0, firstOutput.Length);
        Assert.Equal(0, secondOutput.Length);
    }

    [Fact]
    public async Task Reaching_max_replicas_cuts_at_once_and_the_next_join_opens_the_next_sync()
    {
        var master = await StartSiloAsync(("repl-diskless-sync-delay", "3600"), ("repl-diskless-sync-max-replicas", "2"));
        var (first, firstOutput) = FakeReplica(master);
        var (second, secondOutput) = FakeReplica(master);
        var (third, thirdOutput) = FakeReplica(master);
        var sync = master.Grains.GetGrain<IResyncGrain>(0);

        Assert.True(await sync.JoinAsync(first));
        Assert.True(await sync.JoinAsync(second));

        Assert.Equal(1, master.Replication.ResyncKey);
        var offset = master.Backlog.Offset;
        foreach (var output in new[] { firstOutput, secondOutput })
        {
            var sent = Encoding.ASCII.GetString(output.ToArray());
            Assert.StartsWith($"+FULLRESYNC {master.Backlog.ReplId} {offset}\r\n$EOF:", sent);
        }
        // The ended sync leaves no activation behind (one per full sync would add up over months):
        // its key then maps to a new one.
        await Wire.WaitUntilAsync(() => Task.FromResult(!ReferenceEquals(sync, master.Grains.GetGrain<IResyncGrain>(0))), "the ended sync's activation to be forgotten");
        // The ended sync's key is activated afresh by a late call, which only turns it away.
        Assert.False(await sync.JoinAsync(third));
        Assert.True(await master.Grains.GetGrain<IResyncGrain>(1).JoinAsync(third));
        Assert.Equal(0, thirdOutput.Length);
    }

    [Fact]
    public async Task A_join_queued_behind_the_cut_goes_to_the_next_sync()
    {
        var master = await StartSiloAsync(("repl-diskless-sync-delay", "0"));
        var gate = new GatedStream();
        var (first, _) = FakeReplica(master, gate);
        var (second, secondOutput) = FakeReplica(master);
        var sync = master.Grains.GetGrain<IResyncGrain>(0);

        // No delay: the first join cuts at once, and its sync holds the turn while +FULLRESYNC waits on the gate.
        var firstJoin = sync.JoinAsync(first).AsTask();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var secondJoin = sync.JoinAsync(second).AsTask();
        Assert.False(secondJoin.IsCompleted);
        Assert.Equal(0, master.Replication.ResyncKey);

        gate.Open();
        Assert.True(await firstJoin.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(await secondJoin.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, master.Replication.ResyncKey);
        Assert.Equal(0, secondOutput.Length);

        Assert.True(await master.Grains.GetGrain<IResyncGrain>(1).JoinAsync(second));
        Assert.Equal(2, master.Replication.ResyncKey);
        Assert.StartsWith("+FULLRESYNC ", Encoding.ASCII.GetString(secondOutput.ToArray()));
    }

    [Fact]
    public async Task A_replica_asking_after_the_cut_gets_a_later_sync_of_its_own()
    {
        var (master, client) = await StartMasterAsync(("repl-diskless-sync-delay", "1"));
        await SampleWrites.WriteAsync(client, "first sync");
        var together = await Task.WhenAll(StartReplicaAsync(master), StartReplicaAsync(master));
        foreach (var replicaClient in together)
        {
            await WaitForLinkAsync(replicaClient);
        }

        await SampleWrites.WriteAsync(client, "second sync");
        var late = await StartReplicaAsync(master);
        foreach (var replicaClient in together.Append(late))
        {
            await ReplicationAssert.InSyncAsync(client, replicaClient);
        }

        Assert.Equal("3", (await client.InfoAsync("stats"))["sync_full"]);
        Assert.Equal(2, master.Replication.ResyncKey);
        Assert.Equal(2, await CountSyncsAsync(master, "replicas sockets"));
    }

    [Fact]
    public async Task Reaching_max_replicas_starts_the_sync_before_the_delay()
    {
        var (master, client) = await StartMasterAsync(("repl-diskless-sync-delay", "3600"), ("repl-diskless-sync-max-replicas", "2"));
        await SampleWrites.WriteAsync(client, "max replicas");
        var replicas = await Task.WhenAll(StartReplicaAsync(master), StartReplicaAsync(master));

        foreach (var replicaClient in replicas)
        {
            await ReplicationAssert.InSyncAsync(client, replicaClient);
        }
        Assert.Equal(1, master.Replication.ResyncKey);
        Assert.Equal(1, await CountSyncsAsync(master, "replicas sockets"));
    }

    [Fact]
    public async Task A_sync_through_the_disk_starts_at_once_and_serves_every_replica()
    {
        var (master, client) = await StartMasterAsync(("repl-diskless-sync", "no"), ("repl-diskless-sync-delay", "3600"));
        await SampleWrites.WriteAsync(client, "disk");
        var replicas = await Task.WhenAll(StartReplicaAsync(master), StartReplicaAsync(master));

        foreach (var replicaClient in replicas)
        {
            await ReplicationAssert.InSyncAsync(client, replicaClient);
        }
        // Whether the second replica shares the first sync depends on when it asks; every sync goes through the disk.
        var syncs = await CountSyncsAsync(master, "disk");
        Assert.InRange(syncs, 1, 2);
        Assert.Equal(syncs, master.Replication.ResyncKey);
        Assert.Equal(0, await CountSyncsAsync(master, "replicas sockets"));
    }

    private async Task<(Silo Silo, RedisConnection Client)> StartMasterAsync(params (string Name, string Value)[] settings)
    {
        var silo = await StartSiloAsync([("loglevel", "notice"), .. settings]);
        return (silo, await RedisConnection.ConnectAsync("127.0.0.1", silo.Port));
    }

    private async Task<RedisConnection> StartReplicaAsync(Silo master)
    {
        var silo = await StartSiloAsync(("replicaof", $"127.0.0.1 {master.Port}"));
        return await RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
    }

    private Task<Silo> StartSiloAsync(params (string Name, string Value)[] settings) =>
        Cluster.StartSiloAsync(builder =>
        {
            foreach (var (name, value) in settings)
            {
                builder.Configure(name, value);
            }
        });

    private static Task WaitForLinkAsync(RedisConnection replica) =>
        Wire.WaitUntilAsync(async () => (await replica.InfoAsync("replication"))["master_link_status"] == "up", "the replica's link to come up");

    /// <summary>Full syncs the master logged with the given target ("replicas sockets" or "disk").</summary>
    private static async Task<int> CountSyncsAsync(Silo master, string target)
    {
        var log = await File.ReadAllTextAsync(Path.Combine(master.Config.Dir, "silo.log"));
        return log.Split('\n').Count(line => line.Contains($"Starting BGSAVE for SYNC with target: {target}"));
    }

    /// <summary>A replica as the master sees it after PSYNC, whose connection is a stream the test reads.</summary>
    private (ReplicaSender Sender, MemoryStream Output) FakeReplica(Silo master, MemoryStream? output = null)
    {
        output ??= new MemoryStream();
        var session = new ClientSession(1000 + _senders.Count, new IPEndPoint(IPAddress.Loopback, 40000 + _senders.Count), null, static () => { });
        var sender = new ReplicaSender(session, PipeWriter.Create(output), master.Config, master.Log)
        {
            AcceptsEofTransfer = true,
            AcceptsPsync2 = true,
        };
        _senders.Add(sender);
        return (sender, output);
    }

    /// <summary>A connection whose writes wait until the test opens it, to hold a sync inside its turn.</summary>
    private sealed class GatedStream : MemoryStream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Open() => _open.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _entered.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
            await base.WriteAsync(buffer, cancellationToken);
        }
    }
}
