using System.Globalization;
using OrleansReplica.Client;
using StackExchange.Redis;

namespace OrleansReplica.Tests.Interop;

/// <summary>
/// StackExchange.Redis 1.2.6 (the version the package feed can restore; 2.x's dependencies are missing)
/// against a silo with default options: handshake, strings, batches, transactions, server commands.
/// </summary>
public sealed class StackExchangeRedisTests(InteropFixture fixture) : IClassFixture<InteropFixture>, IAsyncLifetime
{
    private string SiloEndPoint => "127.0.0.1:" + fixture.SiloPort.ToString(CultureInfo.InvariantCulture);

    public Task InitializeAsync() => fixture.FlushAllAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Connect_with_default_options_logs_a_standalone_master_and_no_errors()
    {
        var log = new StringWriter();
        using var multiplexer = ConnectionMultiplexer.Connect(SiloEndPoint, log);
        var text = log.ToString();

        Assert.True(multiplexer.IsConnected, text);
        Assert.Contains($"{SiloEndPoint}: Standalone v7.0.15, master; 16 databases;", text);
        Assert.Contains("int: ConnectedEstablished; sub: ConnectedEstablished", text);
        // ("Sync timeouts: 0" is a counter line, not a problem.)
        foreach (var word in new[] { "error", "fail", "exception", "unable", "timed out", "not in use", "No connection" })
        {
            Assert.DoesNotContain(word, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Connect_causes_the_same_server_side_errors_as_on_redis()
    {
        var errors = new List<string>();
        foreach (var port in new[] { fixture.RedisPort, fixture.SiloPort })
        {
            await using var admin = await RedisConnection.ConnectAsync("127.0.0.1", port);
            Assert.Equal("OK", (await admin.ExecuteAsync("CONFIG", "RESETSTAT")).AsString());
            using (var multiplexer = ConnectionMultiplexer.Connect("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture)))
            {
                Assert.True(multiplexer.IsConnected);
                multiplexer.GetDatabase().Ping();
            }
            errors.Add((await admin.ExecuteAsync("INFO", "errorstats")).AsString()!.Trim());
        }
        // Redis 7.0 rejects CLUSTER NODES (cluster support disabled) and nothing else.
        Assert.Equal(errors[0], errors[1]);
    }

    [Fact]
    public async Task String_set_and_get()
    {
        using var multiplexer = ConnectionMultiplexer.Connect(SiloEndPoint);
        var db = multiplexer.GetDatabase();

        Assert.True(db.StringSet("se:string", "hello world"));
        Assert.Equal("hello world", (string?)db.StringGet("se:string"));
        Assert.False(db.StringSet("se:string", "other", when: When.NotExists));
        Assert.True(db.StringGet("se:missing").IsNull);
        Assert.Equal(5, db.StringIncrement("se:counter", 5));
        Assert.Equal(6.5, db.StringIncrement("se:counter", 1.5));
        Assert.True(db.StringSet("se:ttl", "v", TimeSpan.FromMinutes(5)));
        var ttl = db.KeyTimeToLive("se:ttl");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Equal("hello world", (string?)await db.StringGetAsync("se:string"));
        var values = db.StringGet(["se:string", "se:missing", "se:counter"]);
        Assert.Equal(["hello world", null, "6.5"], values.Select(static v => (string?)v));
    }

    [Fact]
    public async Task Batch_sends_its_commands_together()
    {
        using var multiplexer = ConnectionMultiplexer.Connect(SiloEndPoint);
        var db = multiplexer.GetDatabase();
        var batch = db.CreateBatch();
        var sets = Enumerable.Range(0, 100).Select(i => batch.StringSetAsync($"se:batch:{i}", i)).ToArray();
        var increments = Enumerable.Range(0, 100).Select(_ => batch.StringIncrementAsync("se:batch:counter")).ToArray();
        var read = batch.StringGetAsync("se:batch:99");

        batch.Execute();

        Assert.All(await Task.WhenAll(sets), Assert.True);
        Assert.Equal(Enumerable.Range(1, 100).Select(static i => (long)i), await Task.WhenAll(increments));
        Assert.Equal("99", (string?)await read);
    }

    [Fact]
    public async Task Transaction_with_a_condition_commits_or_aborts()
    {
        using var multiplexer = ConnectionMultiplexer.Connect(SiloEndPoint);
        var db = multiplexer.GetDatabase();
        db.StringSet("se:tx:guard", "1");

        var commit = db.CreateTransaction();
        commit.AddCondition(Condition.StringEqual("se:tx:guard", "1"));
        var set = commit.StringSetAsync("se:tx:a", "committed");
        var increment = commit.StringIncrementAsync("se:tx:n");
        Assert.True(commit.Execute());
        Assert.True(await set);
        Assert.Equal(1, await increment);
        Assert.Equal("committed", (string?)db.StringGet("se:tx:a"));

        var abort = db.CreateTransaction();
        abort.AddCondition(Condition.KeyNotExists("se:tx:guard"));
        _ = abort.StringSetAsync("se:tx:b", "never");
        Assert.False(abort.Execute());
        Assert.False(db.KeyExists("se:tx:b"));

        // A key changed between WATCH and EXEC by another connection aborts the transaction.
        var raced = db.CreateTransaction();
        raced.AddCondition(Condition.StringEqual("se:tx:guard", "1"));
        _ = raced.StringSetAsync("se:tx:c", "never");
        await using (var other = await RedisConnection.ConnectAsync("127.0.0.1", fixture.SiloPort))
        {
            await other.ExecuteAsync("SET", "se:tx:guard", "2");
        }
        Assert.False(raced.Execute());
        Assert.False(db.KeyExists("se:tx:c"));
    }

    [Fact]
    public void Server_info_role_and_features()
    {
        using var multiplexer = ConnectionMultiplexer.Connect(SiloEndPoint + ",allowAdmin=true");
        var server = multiplexer.GetServer(SiloEndPoint);
        // INFO lists a keyspace line only for a database that holds keys.
        multiplexer.GetDatabase().StringSet("se:info", "v");

        Assert.True(server.IsConnected);
        Assert.False(server.IsSlave);
        Assert.Equal(ServerType.Standalone, server.ServerType);
        Assert.Equal(new Version(7, 0, 15), server.Version);
        Assert.True(server.Features.Scan);
        Assert.True(server.Features.SetConditional);
        Assert.True(server.Features.MillisecondExpiry);

        var info = server.Info();
        var sections = info.Select(static group => group.Key).ToList();
        Assert.Contains("Server", sections);
        Assert.Contains("Replication", sections);
        Assert.Contains("Keyspace", sections);
        Assert.StartsWith("keys=1,expires=0", info.Single(static group => group.Key == "Keyspace").Single(static pair => pair.Key == "db0").Value);
        var fields = info.SelectMany(static group => group).ToDictionary(static pair => pair.Key, static pair => pair.Value);
        Assert.Equal("7.0.15", fields["redis_version"]);
        Assert.Equal("master", fields["role"]);
        Assert.Equal(fixture.SiloPort.ToString(CultureInfo.InvariantCulture), fields["tcp_port"]);
        Assert.Contains("redis_version:7.0.15", server.InfoRaw("server"));

        var time = server.Time();
        Assert.InRange(time, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal("16", server.ConfigGet("databases").Single().Value);
    }

    [Fact]
    public void Keys_scans_the_database()
    {
        using var multiplexer = ConnectionMultiplexer.Connect(SiloEndPoint + ",allowAdmin=true");
        var db = multiplexer.GetDatabase();
        var expected = Enumerable.Range(0, 250).Select(static i => $"se:keys:{i}").ToHashSet();
        foreach (var key in expected)
        {
            db.StringSet(key, "v", flags: CommandFlags.FireAndForget);
        }
        db.StringSet("se:other", "v");
        var server = multiplexer.GetServer(SiloEndPoint);

        // A small page size makes the client follow SCAN cursors.
        var keys = server.Keys(pattern: "se:keys:*", pageSize: 20).Select(static k => (string)k!).ToList();

        Assert.Equal(expected.Count, keys.Count);
        Assert.True(expected.SetEquals(keys));
        Assert.Equal(251, server.DatabaseSize());
        server.FlushDatabase();
        Assert.Equal(0, server.DatabaseSize());
    }
}
