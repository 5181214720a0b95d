using OrleansReplica.Hosting.Configuration;

namespace OrleansReplica.Tests.Configuration;

public class ConfigGetTests
{
    [Fact]
    public void Defaults_match_redis_7_0()
    {
        var config = new ServerConfig();
        var ours = config.GetMatching(["*"])
            .Where(kv => kv.Key is not ("dir" or "port" or "save" or "shards" or "bind"))
            .Select(kv => $"{kv.Key}\t{kv.Value}")
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(Redis70Defaults.Lines.Where(l => !l.StartsWith("bind\t", StringComparison.Ordinal)).Order(StringComparer.Ordinal), ours);

        // The silo listens on loopback unless told otherwise (Redis's built-in default is "* -::*").
        Assert.Equal("127.0.0.1 -::1", config.Get("bind"));
        Assert.Equal("6379", config.Get("port"));
        Assert.Equal("3600 1 300 100 60 10000", config.Get("save"));
        Assert.Equal(Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory), config.Get("dir"));
        Assert.Equal("0", config.Get("shards"));
    }

    [Fact]
    public void Glob_lists_names_and_aliases()
    {
        var config = new ServerConfig();

        var keys = config.GetMatching(["*max-*-entries*"]).Select(kv => kv.Key).Order(StringComparer.Ordinal);

        Assert.Equal(
            ["hash-max-listpack-entries", "hash-max-ziplist-entries", "set-max-intset-entries", "zset-max-listpack-entries", "zset-max-ziplist-entries"],
            keys);
    }

    [Fact]
    public void Glob_on_alias_prefix_lists_only_aliases()
    {
        var config = new ServerConfig();

        var keys = config.GetMatching(["slave*"]).Select(kv => kv.Key).Order(StringComparer.Ordinal);

        Assert.Equal(
            ["slave-announce-ip", "slave-announce-port", "slave-ignore-maxmemory", "slave-lazy-flush", "slave-priority", "slave-read-only", "slave-serve-stale-data", "slaveof"],
            keys);
    }

    [Fact]
    public void Exact_names_are_reported_as_typed_once_each()
    {
        var config = new ServerConfig();

        var result = config.GetMatching(["PORT", "port", "SLAVE-READ-ONLY", "replica-read-only", "nosuch"]);

        Assert.Equal(
            [new("PORT", "6379"), new("SLAVE-READ-ONLY", "yes"), new("replica-read-only", "yes")],
            result);
    }

    [Fact]
    public void Several_patterns_do_not_repeat_a_name()
    {
        var config = new ServerConfig();

        var result = config.GetMatching(["*slave-read*", "slave-read-only", "p?rt", "p[o]rt"]);

        Assert.Equal(["slave-read-only", "port"], result.Select(kv => kv.Key));
    }

    [Fact]
    public void Hidden_parameters_need_an_exact_name()
    {
        var config = new ServerConfig();

        Assert.Empty(config.GetMatching(["*exit*"]));
        Assert.Equal([new("use-exit-on-panic", "no")], config.GetMatching(["use-exit-on-panic"]));
        Assert.Equal("2097152", config.Get("loading-process-events-interval-bytes"));
    }

    [Theory]
    [InlineData("*[^a-y]", "hz")]
    [InlineData("h?", "hz")]
    [InlineData("\\h*", "hz")]
    [InlineData("[g-i]z", "hz")]
    [InlineData("[i-g]z", "hz")]
    [InlineData("HZ*", "hz")]
    public void Glob_syntax(string pattern, string expected)
    {
        var config = new ServerConfig();

        Assert.Contains(expected, config.GetMatching([pattern]).Select(kv => kv.Key));
    }

    [Fact]
    public void Get_and_TryGet()
    {
        var config = new ServerConfig();

        Assert.True(config.TryGet("Slave-Priority", out var priority));
        Assert.Equal("100", priority);
        Assert.False(config.TryGet("nosuch", out _));
        Assert.Throws<KeyNotFoundException>(() => config.Get("nosuch"));
    }

    [Fact]
    public void Typed_accessors_show_defaults()
    {
        var config = new ServerConfig();

        Assert.Equal(6379, config.Port);
        Assert.Equal(["127.0.0.1", "-::1"], config.Bind);
        Assert.Equal(16, config.Databases);
        Assert.Equal(Environment.ProcessorCount, config.Shards);
        Assert.Equal("notice", config.LogLevel);
        Assert.Null(config.RequirePass);
        Assert.Null(config.ReplicaOf);
        Assert.True(config.ReplicaReadOnly);
        Assert.Equal(536870912, config.ProtoMaxBulkLen);
        Assert.Equal(1073741824, config.ClientQueryBufferLimit);
        Assert.Equal(10000, config.MaxClients);
        Assert.Equal(0UL, config.MaxMemory);
        Assert.Equal(10, config.Hz);
        Assert.Equal([new SavePoint(3600, 1), new SavePoint(300, 100), new SavePoint(60, 10000)], config.Save);
        Assert.Equal(new OutputBufferLimit(256 * 1024 * 1024, 64 * 1024 * 1024, 60), config.GetOutputBufferLimit(ClientClass.Replica));
        Assert.Equal(KeyspaceEvents.None, config.NotifyKeyspaceEvents);
        Assert.Equal(1048576, config.ReplBacklogSize);
        Assert.Equal("dump.rdb", config.DbFilename);
        Assert.True(config.ActiveExpireEnabled);
        Assert.Null(config.ConfigFile);
    }

    [Fact]
    public void Registry_has_every_redis_name_and_alias()
    {
        var names = Redis70Defaults.Lines.Select(l => l[..l.IndexOf('\t')]).Concat(["dir", "port", "save"]);

        foreach (var name in names)
        {
            Assert.NotNull(ConfigRegistry.Find(name));
        }

        Assert.True(ConfigRegistry.Find("databases")!.IsImmutable);
        Assert.True(ConfigRegistry.Find("slaveof")!.IsImmutable);
        Assert.True(ConfigRegistry.Find("dir")!.IsProtected);
        Assert.True(ConfigRegistry.Find("requirepass")!.IsSensitive);
        Assert.Equal("replica-read-only", ConfigRegistry.Find("SLAVE-READ-ONLY")!.Name);
        Assert.True(ConfigRegistry.Find("shards")!.IsImmutable);
    }
}
