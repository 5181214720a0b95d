using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansReplica.Client;
using OrleansReplica.Hosting.Replication.Replica;
using OrleansReplica.Hosting.Server;
using OrleansReplica.TestingHost;
using OrleansReplica.Tests.Integration;

namespace OrleansReplica.Tests.Replication;

/// <summary>
/// A silo as a replica: of a real redis-server 7.0 (both snapshot transfer forms, both load modes),
/// of another silo (chained), and of a scripted master checking the handshake bytes, retries, a bad
/// transfer, timeouts, +CONTINUE with a new id and the offset accounting of MULTI/EXEC.
/// </summary>
public sealed class ReplicaLinkTests
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("yes", "disabled")]
    [InlineData("no", "disabled")]
    [InlineData("yes", "swapdb")]
    [InlineData("no", "swapdb")]
    public async Task Full_sync_then_the_stream_keep_the_replica_equal_to_the_master(string disklessSync, string disklessLoad)
    {
        await using var redis = await StartRedisAsync("--repl-diskless-sync", disklessSync);
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await SampleWrites.WriteAsync(master, "before");
        await using var replica = await SiloUnderTest.StartAsync(("repl-diskless-load", disklessLoad), ("shards", "4"));
        var client = await replica.ConnectAsync();

        Assert.Equal("+OK\r\n", await client.RawAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString()));
        Assert.True(replica.Silo.Replica.IsReplica);
        await AssertInSyncAsync(master, replica.Silo, client);
        await SampleWrites.WriteAsync(master, "after");
        await AssertInSyncAsync(master, replica.Silo, client);

        var link = replica.Silo.Replica;
        var fields = link.InfoFields();
        Assert.Equal(
            ["master_host", "master_port", "master_link_status", "master_last_io_seconds_ago", "master_sync_in_progress", "slave_read_repl_offset", "slave_repl_offset", "slave_priority", "slave_read_only", "replica_announced"],
            fields.Select(static field => field.Name));
        var values = fields.ToDictionary(static field => field.Name, static field => field.Value);
        var offset = (await InfoAsync(master, "replication"))["master_repl_offset"];
        Assert.Equal("127.0.0.1", values["master_host"]);
        Assert.Equal(redis.Port.ToString(), values["master_port"]);
        Assert.Equal("up", values["master_link_status"]);
        Assert.Equal("0", values["master_sync_in_progress"]);
        Assert.Equal(offset, values["slave_repl_offset"]);
        Assert.Equal(offset, values["slave_read_repl_offset"]);
        Assert.Equal(["slave", "127.0.0.1", (long)redis.Port, "connected", long.Parse(offset)], link.RoleReply());
        Assert.Equal(ReplicaLinkState.Connected, link.State);

        // The master sees us at our listening port, online.
        var slave0 = (await InfoAsync(master, "replication"))["slave0"];
        Assert.StartsWith($"ip=127.0.0.1,port={replica.Port},state=online", slave0);
        // The replica is the master's copy: its replication id and offset are the master's.
        Assert.Equal((await InfoAsync(master, "replication"))["master_replid"], replica.Silo.Backlog.ReplId);
    }

    [Fact]
    public async Task A_silo_started_with_replicaof_follows_its_master()
    {
        await using var redis = await StartRedisAsync();
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await SampleWrites.WriteAsync(master, "configured");
        await using var cluster = await TestCluster.StartAsync(1, (_, builder) => builder.Configure("replicaof", "127.0.0.1", redis.Port.ToString()));
        var silo = cluster.Primary;
        Assert.True(silo.Replica.IsReplica);
        Assert.False(silo.KeyspaceOptions.ExpiresKeys);
        await using var client = await RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
        await AssertInSyncAsync(master, silo, client);
        Assert.Equal($"127.0.0.1 {redis.Port}", (await client.ExecuteAsync("CONFIG", "GET", "replicaof")).AsList()[1].AsString());
    }

    [Fact]
    public async Task A_read_only_replica_refuses_writes_from_clients_but_applies_the_masters()
    {
        await using var redis = await StartRedisAsync();
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await using var replica = await SiloUnderTest.StartAsync();
        var client = await replica.ConnectAsync();
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString());
        await master.ExecuteAsync("SET", "k", "from master");
        await AssertInSyncAsync(master, replica.Silo, client);

        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", await client.RawAsync("SET", "k", "mine"));
        Assert.Equal("$11\r\nfrom master\r\n", await client.RawAsync("GET", "k"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", await client.RawAsync("INCR", "n"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", await client.RawAsync("EXEC"));

        // The master link is the client of kind master; a normal client list leaves it out.
        var masters = (await client.ExecuteAsync("CLIENT", "LIST", "TYPE", "master")).AsString()!;
        Assert.Contains($"addr=127.0.0.1:{redis.Port} ", masters);
        Assert.DoesNotContain($"addr=127.0.0.1:{redis.Port} ", (await client.ExecuteAsync("CLIENT", "LIST", "TYPE", "normal")).AsString()!);

        // A writable replica takes local writes (not forwarded anywhere).
        await client.ExecuteAsync("CONFIG", "SET", "replica-read-only", "no");
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "local", "1"));
        Assert.Equal("$1\r\n1\r\n", await client.RawAsync("GET", "local"));
    }

    [Fact]
    public async Task A_killed_master_link_continues_with_a_partial_resync()
    {
        await using var redis = await StartRedisAsync();
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await SampleWrites.WriteAsync(master, "a");
        await using var replica = await SiloUnderTest.StartAsync();
        var client = await replica.ConnectAsync();
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString());
        await AssertInSyncAsync(master, replica.Silo, client);
        var before = await InfoAsync(master, "stats");

        Assert.Equal(1, (await client.ExecuteAsync("CLIENT", "KILL", "TYPE", "master")).AsInt64());
        await SampleWrites.WriteAsync(master, "during the gap");
        await AssertInSyncAsync(master, replica.Silo, client);

        var after = await InfoAsync(master, "stats");
        Assert.Equal(long.Parse(before["sync_partial_ok"]) + 1, long.Parse(after["sync_partial_ok"]));
        Assert.Equal(before["sync_full"], after["sync_full"]);
    }

    [Fact]
    public async Task Replicaof_no_one_keeps_the_data_and_shifts_the_replication_id()
    {
        await using var redis = await StartRedisAsync();
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await SampleWrites.WriteAsync(master, "kept");
        await using var replica = await SiloUnderTest.StartAsync();
        var client = await replica.ConnectAsync();
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString());
        await AssertInSyncAsync(master, replica.Silo, client);
        var masterInfo = await InfoAsync(master, "replication");
        var digest = (await master.ExecuteAsync("DEBUG", "DIGEST")).AsString();

        Assert.Equal("+OK\r\n", await client.RawAsync("REPLICAOF", "NO", "ONE"));

        var silo = replica.Silo;
        Assert.False(silo.Replica.IsReplica);
        Assert.Equal(ReplicaLinkState.None, silo.Replica.State);
        Assert.True(silo.KeyspaceOptions.ExpiresKeys);
        Assert.Equal(masterInfo["master_replid"], silo.Backlog.ReplId2);
        Assert.NotEqual(masterInfo["master_replid"], silo.Backlog.ReplId);
        Assert.Equal(long.Parse(masterInfo["master_repl_offset"]) + 1, silo.Backlog.SecondReplOffset);
        Assert.Equal(digest, (await client.ExecuteAsync("DEBUG", "DIGEST")).AsString());
        Assert.Equal("+OK\r\n", await client.RawAsync("SET", "now", "a master"));
        Assert.Equal("", (await client.ExecuteAsync("CONFIG", "GET", "replicaof")).AsList()[1].AsString());
        // Writes of the master it left no longer arrive.
        await master.ExecuteAsync("SET", "kept:0", "changed");
        Assert.Equal("0", (await client.ExecuteAsync("GET", "kept:0")).AsString());
    }

    [Fact]
    public async Task Replicaof_another_master_replaces_the_data_with_its_own()
    {
        await using var first = await StartRedisAsync();
        await using var second = await StartRedisAsync();
        var firstClient = await RedisConnection.ConnectAsync("127.0.0.1", first.Port);
        var secondClient = await RedisConnection.ConnectAsync("127.0.0.1", second.Port);
        await SampleWrites.WriteAsync(firstClient, "first");
        await SampleWrites.WriteAsync(secondClient, "second");
        await using var replica = await SiloUnderTest.StartAsync();
        var client = await replica.ConnectAsync();
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", first.Port.ToString());
        await AssertInSyncAsync(firstClient, replica.Silo, client);

        Assert.Equal("+OK\r\n", await client.RawAsync("REPLICAOF", "127.0.0.1", second.Port.ToString()));
        await AssertInSyncAsync(secondClient, replica.Silo, client);

        Assert.True((await client.ExecuteAsync("GET", "first:0")).IsNull);
        Assert.Equal("0", (await client.ExecuteAsync("GET", "second:0")).AsString());
        Assert.Equal((await InfoAsync(secondClient, "replication"))["master_replid"], replica.Silo.Backlog.ReplId);
    }

    [Fact]
    public async Task Masterauth_and_masteruser_authenticate_to_a_master_that_requires_it()
    {
        await using var redis = await StartRedisAsync("--requirepass", "secret");
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await master.ExecuteAsync("AUTH", "secret");
        await master.ExecuteAsync("ACL", "SETUSER", "repl", "on", ">pw", "allcommands", "allkeys");
        await master.ExecuteAsync("SET", "guarded", "1");

        await using var replica = await SiloUnderTest.StartAsync(("masterauth", "wrong"), ("loglevel", "notice"));
        var client = await replica.ConnectAsync();
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString());
        var log = Path.Combine(replica.Silo.Config.Dir, "silo.log");
        await Wire.WaitUntilAsync(async () => (await ReadSharedAsync(log)).Contains("Unable to AUTH to MASTER"), "the wrong password is refused");
        Assert.False(replica.Silo.Replica.LinkUp);

        await client.ExecuteAsync("CONFIG", "SET", "masterauth", "secret");
        await AssertInSyncAsync(master, replica.Silo, client);
        Assert.Equal("1", (await client.ExecuteAsync("GET", "guarded")).AsString());

        // AUTH <masteruser> <masterauth> once masteruser is set.
        await client.ExecuteAsync("CONFIG", "SET", "masteruser", "repl");
        await client.ExecuteAsync("CONFIG", "SET", "masterauth", "pw");
        await client.ExecuteAsync("CLIENT", "KILL", "TYPE", "master");
        await master.ExecuteAsync("SET", "guarded", "2");
        await AssertInSyncAsync(master, replica.Silo, client);
        Assert.Equal("2", (await client.ExecuteAsync("GET", "guarded")).AsString());
    }

    [Fact]
    public async Task A_replica_that_serves_no_stale_data_answers_masterdown_while_the_link_is_down()
    {
        await using var replica = await SiloUnderTest.StartAsync(("replica-serve-stale-data", "no"));
        var client = await replica.ConnectAsync();
        const string masterDown = "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n";
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", RedisServerProcess.FreePort().ToString());

        Assert.Equal(masterDown, await client.RawAsync("GET", "k"));
        Assert.Equal(masterDown, await client.RawAsync("PING"));
        Assert.Equal(masterDown, await client.RawAsync("DBSIZE"));
        // A write on a read-only replica is refused as such first.
        Assert.Equal("-READONLY You can't write against a read only replica.\r\n", await client.RawAsync("SET", "k", "v"));
        // Commands flagged stale still run.
        Assert.StartsWith("$", await client.RawAsync("INFO", "server"));
        Assert.Equal("+OK\r\n", await client.RawAsync("MULTI"));
        Assert.Equal(masterDown, await client.RawAsync("GET", "k"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", await client.RawAsync("EXEC"));

        var redis = await StartRedisAsync();
        try
        {
            var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
            await master.ExecuteAsync("SET", "k", "v");
            await client.ExecuteAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString());
            await AssertInSyncAsync(master, replica.Silo, client);
            Assert.Equal("$1\r\nv\r\n", await client.RawAsync("GET", "k"));
        }
        finally
        {
            await redis.DisposeAsync();
        }
        await Wire.WaitUntilAsync(() => Task.FromResult(!replica.Silo.Replica.LinkUp), "the link notices the master is gone");
        Assert.Equal(masterDown, await client.RawAsync("GET", "k"));
        var fields = replica.Silo.Replica.InfoFields().ToDictionary(static field => field.Name, static field => field.Value);
        Assert.Equal("down", fields["master_link_status"]);
        Assert.True(long.Parse(fields["master_link_down_since_seconds"]) >= 0);
    }

    [Fact]
    public async Task A_replica_keeps_expired_keys_until_the_master_deletes_them()
    {
        await using var redis = await StartRedisAsync();
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await master.ExecuteAsync("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        await using var replica = await SiloUnderTest.StartAsync();
        var client = await replica.ConnectAsync();
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString());
        await master.ExecuteAsync("SET", "short", "lived", "PX", "200");
        await master.ExecuteAsync("SET", "long", "lived");
        await AssertInSyncAsync(master, replica.Silo, client);
        Assert.False(replica.Silo.KeyspaceOptions.ExpiresKeys);

        // Logically expired: reads say nil, yet the key stays until the master's DEL arrives.
        await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("GET", "short")).IsNull, "the key is logically expired on the replica");
        Assert.Equal(0, (await client.ExecuteAsync("EXISTS", "short")).AsInt64());
        Assert.Equal(2, (await client.ExecuteAsync("DBSIZE")).AsInt64());
        await AssertInSyncAsync(master, replica.Silo, client);

        Assert.True((await master.ExecuteAsync("GET", "short")).IsNull);
        await AssertInSyncAsync(master, replica.Silo, client);
        Assert.Equal(1, (await client.ExecuteAsync("DBSIZE")).AsInt64());
    }

    [Fact]
    public async Task A_chained_replica_converges_with_the_top_masters_history()
    {
        await using var redis = await StartRedisAsync();
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await SampleWrites.WriteAsync(master, "before");
        await using var middle = await SiloUnderTest.StartAsync(("repl-diskless-sync-delay", "0"));
        var middleClient = await middle.ConnectAsync();
        await middleClient.ExecuteAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString());
        await AssertInSyncAsync(master, middle.Silo, middleClient);

        await using var leaf = await SiloUnderTest.StartAsync();
        var leafClient = await leaf.ConnectAsync();
        await leafClient.ExecuteAsync("REPLICAOF", "127.0.0.1", middle.Port.ToString());
        await SampleWrites.WriteAsync(master, "after");
        for (var i = 0; i < 200; i++)
        {
            await master.ExecuteAsync("INCR", "counter");
        }

        var digest = "";
        await Wire.WaitUntilAsync(
            async () =>
            {
                digest = (await master.ExecuteAsync("DEBUG", "DIGEST")).AsString()!;
                return leaf.Silo.Replica.LinkUp
                    && leaf.Silo.Backlog.Offset == middle.Silo.Backlog.Offset
                    && digest == (await middleClient.ExecuteAsync("DEBUG", "DIGEST")).AsString()
                    && digest == (await leafClient.ExecuteAsync("DEBUG", "DIGEST")).AsString();
            },
            "the chain converges",
            SyncTimeout);
        Assert.Equal("200", (await leafClient.ExecuteAsync("GET", "counter")).AsString());
        // The bytes were forwarded as received: the leaf has the top master's replication id.
        Assert.Equal((await InfoAsync(master, "replication"))["master_replid"], leaf.Silo.Backlog.ReplId);
    }

    [Fact]
    public async Task The_replica_writes_what_it_applies_to_its_aof()
    {
        await using var redis = await StartRedisAsync();
        var master = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        await using var replica = await SiloUnderTest.StartAsync(("appendonly", "yes"));
        var client = await replica.ConnectAsync();
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", redis.Port.ToString());
        await AssertInSyncAsync(master, replica.Silo, client);
        await Wire.WaitUntilAsync(() => Task.FromResult(!replica.Silo.Aof.RewriteInProgress && replica.Silo.Aof.Enabled), "the AOF restarted after the full sync");

        await master.ExecuteAsync("SET", "aof-key", "aof-value", "EX", "1000");
        await AssertInSyncAsync(master, replica.Silo, client);

        var directory = Path.Combine(replica.Silo.Config.Dir, "appendonlydir");
        await Wire.WaitUntilAsync(
            async () =>
            {
                foreach (var file in Directory.GetFiles(directory, "*.incr.aof"))
                {
                    if ((await ReadSharedAsync(file)).Contains("aof-value"))
                    {
                        return true;
                    }
                }
                return false;
            },
            "the applied write reaches the replica's AOF");

        // A transaction of the master is one unit in the replica's AOF.
        await master.ExecuteAsync("MULTI");
        await master.ExecuteAsync("SET", "t1", "v");
        await master.ExecuteAsync("INCR", "t2");
        await master.ExecuteAsync("EXEC");
        await AssertInSyncAsync(master, replica.Silo, client);
        const string transaction = "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$2\r\nt1\r\n$1\r\nv\r\n*2\r\n$4\r\nINCR\r\n$2\r\nt2\r\n*1\r\n$4\r\nEXEC\r\n";
        await Wire.WaitUntilAsync(
            async () =>
            {
                foreach (var file in Directory.GetFiles(directory, "*.incr.aof"))
                {
                    if ((await ReadSharedAsync(file)).Contains(transaction))
                    {
                        return true;
                    }
                }
                return false;
            },
            "the master's transaction reaches the replica's AOF as one unit");

        // Writes of the replica's own clients (a writable replica) never land inside one.
        await client.ExecuteAsync("CONFIG", "SET", "replica-read-only", "no");
        using var stop = new CancellationTokenSource();
        var local = await replica.ConnectAsync();
        var localWrites = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await local.ExecuteAsync("SET", $"local:{i % 100}", "x");
            }
        });
        for (var i = 0; i < 100; i++)
        {
            await master.ExecuteAsync("MULTI");
            await master.ExecuteAsync("SET", $"m:{i}", "v");
            await master.ExecuteAsync("INCR", "t2");
            await master.ExecuteAsync("EXEC");
        }
        stop.Cancel();
        await localWrites;
        await local.ExecuteAsync(["DEL", .. Enumerable.Range(0, 100).Select(static i => $"local:{i}")]);
        await AssertInSyncAsync(master, replica.Silo, client);
        await Wire.WaitUntilAsync(
            async () => (await Task.WhenAll(Directory.GetFiles(directory, "*.incr.aof").Select(ReadSharedAsync))).Any(static text => text.Contains("$4\r\nm:99\r\n")),
            "the last transaction reaches the AOF");
        foreach (var file in Directory.GetFiles(directory, "*.incr.aof"))
        {
            foreach (var block in (await ReadSharedAsync(file)).Split("*1\r\n$5\r\nMULTI\r\n").Skip(1))
            {
                Assert.DoesNotContain("local:", block[..block.IndexOf("*1\r\n$4\r\nEXEC\r\n", StringComparison.Ordinal)]);
            }
        }
    }

    [Fact]
    public async Task Replicaof_replies_as_redis()
    {
        await using var redis = await StartRedisAsync();
        await using var silo = await SiloUnderTest.StartAsync();
        var redisClient = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        var siloClient = await silo.ConnectAsync();
        var nobody = RedisServerProcess.FreePort().ToString();
        string[][] script =
        [
            ["REPLICAOF"],
            ["REPLICAOF", "127.0.0.1"],
            ["REPLICAOF", "127.0.0.1", "abc"],
            ["REPLICAOF", "127.0.0.1", "70000"],
            ["REPLICAOF", "127.0.0.1", "-1"],
            ["REPLICAOF", "127.0.0.1", "+5"],
            ["REPLICAOF", "no", "two"],
            ["REPLICAOF", "NO", "ONE"],
            ["SLAVEOF", "no", "one"],
            ["SET", "x", "1"],
            ["REPLICAOF", "127.0.0.1", nobody],
            ["REPLICAOF", "127.0.0.1", nobody],
            ["SLAVEOF", "127.0.0.1", nobody],
            ["GET", "x"],
            ["SET", "x", "2"],
            ["SLAVEOF", "NO", "ONE"],
            ["SET", "x", "3"],
            ["GET", "x"],
        ];
        foreach (var command in script)
        {
            var expected = await redisClient.RawAsync(command);
            Assert.Equal(expected, await siloClient.RawAsync(command));
        }
    }

    [Fact]
    public async Task The_handshake_retries_and_offsets_follow_a_scripted_master()
    {
        var rdb = await MakeRdbAsync(("foo", "bar"));
        await using var fake = new ScriptedMaster();
        await using var replica = await SiloUnderTest.StartAsync(
            ("masteruser", "bob"), ("masterauth", "pw"), ("replica-announce-ip", "10.0.0.9"), ("replica-announce-port", "7777"), ("repl-timeout", "1"));
        var client = await replica.ConnectAsync();
        await client.ExecuteAsync("SET", "old", "1");
        var silo = replica.Silo;
        var ownId = silo.Backlog.ReplId;
        var ownOffset = (silo.Backlog.Offset + 1).ToString(CultureInfo.InvariantCulture);
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", fake.Port.ToString());

        // 1: the master is loading: try again later.
        await using (var link = await fake.AcceptAsync())
        {
            await link.ExpectHandshakeAsync(ownId, ownOffset);
            Assert.Equal("handshake", silo.Replica.RoleReply()[3]);
            await link.SendAsync("-LOADING Redis is loading the dataset in memory\r\n");
        }

        // 2: a corrupt snapshot: the old data stays, the cached history too.
        var corrupt = (byte[])rdb.Clone();
        corrupt[rdb.Length / 2] ^= 0x55;
        const string masterId = "0123456789abcdef0123456789abcdef01234567";
        await using (var link = await fake.AcceptAsync())
        {
            await link.ExpectHandshakeAsync(ownId, ownOffset);
            await link.SendAsync($"+FULLRESYNC {masterId} 1000\r\n${corrupt.Length}\r\n");
            var half = corrupt.Length / 2;
            await link.SendAsync(corrupt[..half]);
            await Wire.WaitUntilAsync(() => Task.FromResult(Fields(silo).GetValueOrDefault("master_sync_read_bytes") == half.ToString()), "the transfer progress shows");
            var fields = Fields(silo);
            Assert.Equal("1", fields["master_sync_in_progress"]);
            Assert.Equal(corrupt.Length.ToString(), fields["master_sync_total_bytes"]);
            Assert.Equal((corrupt.Length - half).ToString(), fields["master_sync_left_bytes"]);
            Assert.Equal(((double)half / corrupt.Length * 100).ToString("F2", CultureInfo.InvariantCulture), fields["master_sync_perc"]);
            Assert.Equal("down", fields["master_link_status"]);
            Assert.Equal("-1", fields["master_link_down_since_seconds"]);
            Assert.Equal(["slave", "127.0.0.1", (long)fake.Port, "sync", -1L], silo.Replica.RoleReply());
            await link.SendAsync(corrupt[half..]);
            await link.WaitClosedAsync();
        }
        Assert.Equal("1", (await client.ExecuteAsync("GET", "old")).AsString());

        // 3: the diskless form, keepalive newlines first; then the stream and GETACK.
        await using var silent = await fake.AcceptAsync();
        {
            var link = silent;
            await link.ExpectHandshakeAsync(ownId, ownOffset);
            const string mark = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
            await link.SendAsync($"+FULLRESYNC {masterId} 1000\r\n\n\n$EOF:{mark}\r\n");
            await link.SendAsync(rdb);
            await link.SendAsync(mark);
            await link.ExpectAckAsync(1000);
            Assert.True((await client.ExecuteAsync("GET", "old")).IsNull);
            Assert.Equal("bar", (await client.ExecuteAsync("GET", "foo")).AsString());
            Assert.Equal(masterId, silo.Backlog.ReplId);

            var stream = Wire.Multibulk("SELECT", "0") + Wire.Multibulk("SET", "k", "v");
            var getAck = Wire.Multibulk("REPLCONF", "GETACK", "*");
            await link.SendAsync(stream + getAck);
            // The acknowledgement of GETACK carries the offset before it.
            await link.ExpectAckAsync(1000 + stream.Length);
            await Wire.WaitUntilAsync(() => Task.FromResult(silo.Backlog.Offset == 1000 + stream.Length + getAck.Length), "GETACK is counted");
            Assert.Equal("v", (await client.ExecuteAsync("GET", "k")).AsString());
        }

        // 4: the master went silent (its connection still open): repl-timeout drops the link, and the
        // replica continues partially; the master has a new id; half a transaction, then the link drops.
        var continued = 1000 + Wire.Multibulk("SELECT", "0").Length + Wire.Multibulk("SET", "k", "v").Length + Wire.Multibulk("REPLCONF", "GETACK", "*").Length;
        const string newId = "fedcba9876543210fedcba9876543210fedcba98";
        var applied = Wire.Multibulk("SET", "k2", "v2");
        await using (var link = await fake.AcceptAsync())
        {
            await silent.WaitClosedAsync();
            await link.ExpectHandshakeAsync(masterId, (continued + 1).ToString(CultureInfo.InvariantCulture));
            await link.SendAsync($"+CONTINUE {newId}\r\n" + applied + Wire.Multibulk("MULTI") + Wire.Multibulk("SET", "t", "1"));
            await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("GET", "k2")).AsString() == "v2", "the stream after +CONTINUE is applied");
            Assert.Equal(newId, silo.Backlog.ReplId);
            Assert.Equal(masterId, silo.Backlog.ReplId2);
            Assert.Equal(continued + 1, silo.Backlog.SecondReplOffset);
        }

        // 5: the offset never stopped inside MULTI: PSYNC asks again from before it.
        await using (var link = await fake.AcceptAsync())
        {
            await link.ExpectHandshakeAsync(newId, (continued + applied.Length + 1).ToString(CultureInfo.InvariantCulture));
            await link.SendAsync("+CONTINUE\r\n");
        }
        Assert.True((await client.ExecuteAsync("GET", "t")).IsNull);
    }

    [Fact]
    public async Task A_master_without_psync_is_followed_through_sync()
    {
        var rdb = await MakeRdbAsync(("foo", "bar"));
        await using var fake = new ScriptedMaster();
        await using var replica = await SiloUnderTest.StartAsync();
        var client = await replica.ConnectAsync();
        var silo = replica.Silo;
        await client.ExecuteAsync("REPLICAOF", "127.0.0.1", fake.Port.ToString());

        await using (var link = await fake.AcceptAsync())
        {
            await link.ExpectPlainHandshakeAsync(replica.Port, silo.Backlog.ReplId, "1");
            await link.SendAsync("-ERR unknown command 'PSYNC'\r\n");
            Assert.Equal(["SYNC"], await link.ReadRequestAsync());
            await link.SendAsync($"${rdb.Length}\r\n");
            await link.SendAsync(rdb);
            await link.SendAsync(Wire.Multibulk("SELECT", "0") + Wire.Multibulk("SET", "s", "1"));
            await Wire.WaitUntilAsync(async () => (await client.ExecuteAsync("GET", "s")).AsString() == "1", "the stream after SYNC is applied");
            Assert.Equal("bar", (await client.ExecuteAsync("GET", "foo")).AsString());
            Assert.True(silo.Replica.LinkUp);
        }

        // Offsets of a SYNC stream mean nothing to PSYNC: the next attempt has no cached master.
        await using (var link = await fake.AcceptAsync())
        {
            await link.ExpectPlainHandshakeAsync(replica.Port, "?", "-1");
        }
    }

    private static Dictionary<string, string> Fields(Silo silo) =>
        silo.Replica.InfoFields().ToDictionary(static field => field.Name, static field => field.Value);

    private static Task<RedisServerProcess> StartRedisAsync(params string[] arguments) =>
        RedisServerProcess.StartAsync(["--repl-diskless-sync-delay", "0", .. arguments]);

    /// <summary>Waits until the link is up and the replica's offset equals the master's, then compares DEBUG DIGEST.</summary>
    private static async Task AssertInSyncAsync(RedisConnection master, Silo replica, RedisConnection replicaClient)
    {
        var masterOffset = "";
        await Wire.WaitUntilAsync(
            async () =>
            {
                masterOffset = (await InfoAsync(master, "replication"))["master_repl_offset"];
                return replica.Replica.LinkUp && replica.Backlog.Offset.ToString(CultureInfo.InvariantCulture) == masterOffset;
            },
            "the replica reaches the master's offset",
            SyncTimeout);
        Assert.Equal((await master.ExecuteAsync("DEBUG", "DIGEST")).AsString(), (await replicaClient.ExecuteAsync("DEBUG", "DIGEST")).AsString());
    }

    private static async Task<Dictionary<string, string>> InfoAsync(RedisConnection connection, string section)
    {
        var text = (await connection.ExecuteAsync("INFO", section)).AsString()!;
        return text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(static line => !line.StartsWith('#'))
            .Select(static line => line.Split(':', 2))
            .ToDictionary(static parts => parts[0], static parts => parts[1]);
    }

    /// <summary>An RDB written by redis-server holding <paramref name="pairs"/>.</summary>
    private static async Task<byte[]> MakeRdbAsync(params (string Key, string Value)[] pairs)
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var client = await RedisConnection.ConnectAsync("127.0.0.1", redis.Port);
        foreach (var (key, value) in pairs)
        {
            await client.ExecuteAsync("SET", key, value);
        }
        await client.ExecuteAsync("SAVE");
        return await File.ReadAllBytesAsync(Path.Combine(redis.Dir, "dump.rdb"));
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        return await reader.ReadToEndAsync();
    }

    /// <summary>A master played by the test: accepts the replica's connections and checks what it sends.</summary>
    private sealed class ScriptedMaster : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public ScriptedMaster()
        {
            _listener.Start();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async Task<ScriptedLink> AcceptAsync()
        {
            using var timeout = new CancellationTokenSource(SyncTimeout);
            return new ScriptedLink(await _listener.AcceptTcpClientAsync(timeout.Token));
        }

        public ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>One connection from the replica, read request by request.</summary>
    private sealed class ScriptedLink(TcpClient client) : IAsyncDisposable
    {
        private readonly NetworkStream _stream = client.GetStream();
        private readonly List<byte> _pending = [];
        private readonly byte[] _chunk = new byte[4096];

        public async Task ExpectHandshakeAsync(string replId, string offset)
        {
            Assert.Equal(["PING"], await ReadRequestAsync());
            await SendAsync("+PONG\r\n");
            Assert.Equal(["AUTH", "bob", "pw"], await ReadRequestAsync());
            Assert.Equal(["REPLCONF", "listening-port", "7777"], await ReadRequestAsync());
            Assert.Equal(["REPLCONF", "ip-address", "10.0.0.9"], await ReadRequestAsync());
            Assert.Equal(["REPLCONF", "capa", "eof", "capa", "psync2"], await ReadRequestAsync());
            await SendAsync("+OK\r\n+OK\r\n+OK\r\n+OK\r\n");
            Assert.Equal(["PSYNC", replId, offset], await ReadRequestAsync());
        }

        public async Task ExpectPlainHandshakeAsync(int listeningPort, string replId, string offset)
        {
            Assert.Equal(["PING"], await ReadRequestAsync());
            await SendAsync("+PONG\r\n");
            Assert.Equal(["REPLCONF", "listening-port", listeningPort.ToString(CultureInfo.InvariantCulture)], await ReadRequestAsync());
            Assert.Equal(["REPLCONF", "capa", "eof", "capa", "psync2"], await ReadRequestAsync());
            await SendAsync("+OK\r\n+OK\r\n");
            Assert.Equal(["PSYNC", replId, offset], await ReadRequestAsync());
        }

        /// <summary>Waits for REPLCONF ACK &lt;offset&gt;, skipping the periodic ones with other offsets.</summary>
        public async Task ExpectAckAsync(long offset)
        {
            while (true)
            {
                var request = await ReadRequestAsync();
                Assert.Equal("REPLCONF", request[0]);
                Assert.Equal("ACK", request[1]);
                if (request[2] == offset.ToString(CultureInfo.InvariantCulture))
                {
                    return;
                }
            }
        }

        public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

        public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

        /// <summary>The replica gives up on this connection (it closes it).</summary>
        public async Task WaitClosedAsync()
        {
            using var timeout = new CancellationTokenSource(SyncTimeout);
            while (await _stream.ReadAsync(_chunk, timeout.Token) > 0)
            {
            }
        }

        public async Task<string[]> ReadRequestAsync()
        {
            string line;
            do
            {
                // Bare newlines are the replica's keepalives while it loads.
                line = await ReadLineAsync();
            }
            while (line.Length == 0);
            Assert.StartsWith("*", line);
            var count = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
            var arguments = new string[count];
            for (var i = 0; i < count; i++)
            {
                var header = await ReadLineAsync();
                Assert.StartsWith("$", header);
                var length = int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture);
                await FillAsync(length + 2);
                arguments[i] = Encoding.UTF8.GetString(_pending.GetRange(0, length).ToArray());
                _pending.RemoveRange(0, length + 2);
            }
            return arguments;
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            client.Dispose();
        }

        private async Task<string> ReadLineAsync()
        {
            while (true)
            {
                var newline = _pending.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var line = Encoding.UTF8.GetString(_pending.GetRange(0, newline).ToArray()).TrimEnd('\r');
                    _pending.RemoveRange(0, newline + 1);
                    return line;
                }
                await ReceiveAsync();
            }
        }

        private async Task FillAsync(int count)
        {
            while (_pending.Count < count)
            {
                await ReceiveAsync();
            }
        }

        private async Task ReceiveAsync()
        {
            using var timeout = new CancellationTokenSource(SyncTimeout);
            var read = await _stream.ReadAsync(_chunk, timeout.Token);
            if (read == 0)
            {
                throw new IOException("The replica closed the connection.");
            }
            _pending.AddRange(_chunk.AsSpan(0, read));
        }
    }
}
