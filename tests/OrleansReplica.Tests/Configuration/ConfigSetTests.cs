using OrleansReplica.Hosting.Configuration;

namespace OrleansReplica.Tests.Configuration;

/// <summary>CONFIG SET replies, checked against redis-server 7.0.15.</summary>
public class ConfigSetTests
{
    private static string? Set(ServerConfig config, params string[] nameValues)
    {
        var pairs = new List<(string, string)>();
        for (int i = 0; i < nameValues.Length; i += 2)
        {
            pairs.Add((nameValues[i], nameValues[i + 1]));
        }

        return config.Set(pairs);
    }

    private static string Failed(string name, string error) => $"ERR CONFIG SET failed (possibly related to argument '{name}') - {error}";

    [Theory]
    [InlineData(new[] { "foo", "bar" }, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData(new[] { "timeout", "10", "foo", "bar" }, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData(new[] { "foo", "bar", "databases", "4" }, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData(new[] { "timeout", "abc", "foo", "bar" }, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData(new[] { "databases", "4", "foo", "bar" }, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")]
    [InlineData(new[] { "Databases", "3" }, "ERR CONFIG SET failed (possibly related to argument 'Databases') - can't set immutable config")]
    [InlineData(new[] { "slaveof", "no one" }, "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config")]
    [InlineData(new[] { "shards", "4" }, "ERR CONFIG SET failed (possibly related to argument 'shards') - can't set immutable config")]
    [InlineData(new[] { "dir", "/tmp" }, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")]
    [InlineData(new[] { "dbfilename", "x.rdb" }, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config")]
    [InlineData(new[] { "timeout", "1", "TIMEOUT", "2" }, "ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter")]
    [InlineData(new[] { "timeout", "1", "timeout", "2", "foo", "bar" }, "ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter")]
    [InlineData(new[] { "timeout", "5", "maxclients", "abc" }, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer")]
    [InlineData(new[] { "SLAVE-read-only", "maybe" }, "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'")]
    public void Errors_name_the_right_argument(string[] nameValues, string expected)
    {
        var config = new ServerConfig();

        Assert.Equal(expected, Set(config, nameValues));
        Assert.Equal("0", config.Get("timeout"));
    }

    [Theory]
    [InlineData("maxclients", "abc", "argument couldn't be parsed into an integer")]
    [InlineData("maxclients", "0", "argument must be between 1 and 4294967295 inclusive")]
    [InlineData("maxclients", "4294967296", "argument must be between 1 and 4294967295 inclusive")]
    [InlineData("maxclients", "-1", "argument must be between 1 and 4294967295 inclusive")]
    [InlineData("timeout", " 1", "argument couldn't be parsed into an integer")]
    [InlineData("timeout", "+1", "argument couldn't be parsed into an integer")]
    [InlineData("timeout", "01", "argument couldn't be parsed into an integer")]
    [InlineData("timeout", "-0", "argument couldn't be parsed into an integer")]
    [InlineData("timeout", "2147483648", "argument must be between 0 and 2147483647 inclusive")]
    [InlineData("timeout", "99999999999999999999", "argument couldn't be parsed into an integer")]
    [InlineData("appendonly", "1", "argument must be 'yes' or 'no'")]
    [InlineData("appendonly", "true", "argument must be 'yes' or 'no'")]
    [InlineData("loglevel", "loud", "argument(s) must be one of the following: debug, verbose, notice, warning")]
    [InlineData("oom-score-adj", "foo", "argument(s) must be one of the following: no, yes, relative, absolute")]
    [InlineData("maxmemory", "1x", "argument must be a memory value")]
    [InlineData("maxmemory", "1.5mb", "argument must be a memory value")]
    [InlineData("maxmemory", " 1", "argument must be a memory value")]
    [InlineData("maxmemory", "+1", "argument must be a memory value")]
    [InlineData("maxmemory", "-1", "argument must be a memory value")]
    [InlineData("maxmemory", "0x10", "argument must be a memory value")]
    [InlineData("proto-max-bulk-len", "100", "argument must be between 1048576 and 9223372036854775807 inclusive")]
    [InlineData("proto-max-bulk-len", "9223372036854775808", "argument must be between 1048576 and 9223372036854775807 inclusive")]
    [InlineData("maxmemory-clients", "101%", "percentage argument must be less or equal to 100")]
    [InlineData("maxmemory-clients", "-5", "argument must be a memory or percent value")]
    [InlineData("slowlog-log-slower-than", "-2", "argument must be between -1 and 9223372036854775807 inclusive")]
    [InlineData("list-max-listpack-size", "-2147483649", "argument must be between -2147483648 and 2147483647 inclusive")]
    [InlineData("hash-max-listpack-entries", "-1", "argument must be between 0 and 9223372036854775807 inclusive")]
    [InlineData("auto-aof-rewrite-min-size", "-1", "argument must be a memory value")]
    [InlineData("save", "3600 1 300", "Invalid save parameters")]
    [InlineData("save", "0 1", "Invalid save parameters")]
    [InlineData("save", "10 -1", "Invalid save parameters")]
    [InlineData("save", "10  5", "Invalid save parameters")]
    [InlineData("save", "  ", "Invalid save parameters")]
    [InlineData("client-output-buffer-limit", "master 1 2 3", "Invalid client class specified in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit", "normal 1 2", "Wrong number of arguments in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit", "normal 1x 2 3", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit", "normal 1 2 -3", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")]
    [InlineData("notify-keyspace-events", "Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")]
    [InlineData("oom-score-adj-values", "0 200 800 1", "wrong number of arguments")]
    [InlineData("oom-score-adj-values", "0 200 3000", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.")]
    [InlineData("latency-tracking-info-percentiles", "101", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")]
    [InlineData("latency-tracking-info-percentiles", "nan", "Invalid latency-tracking-info-percentiles parameters")]
    [InlineData("proc-title-template", "{foo}", "template format is invalid or contains unknown variables")]
    [InlineData("proc-title-template", "{title}", "template format is invalid or contains unknown variables")]
    [InlineData("cluster-announce-hostname", "a_b", "Hostnames may only contain alphanumeric characters, hyphens or dots")]
    [InlineData("bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified.")]
    [InlineData("shutdown-on-sigint", "now save force nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously")]
    [InlineData("shutdown-on-sigint", "", "argument(s) must be one of the following: default, save, nosave, now, force")]
    [InlineData("activedefrag", "yes", "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution")]
    public void Invalid_values_are_refused_with_redis_text(string name, string value, string error)
    {
        var config = new ServerConfig();
        string before = config.Get(name);

        Assert.Equal(Failed(name, error), Set(config, name, value));
        Assert.Equal(before, config.Get(name));
    }

    [Theory]
    [InlineData("maxmemory", "1gb", "1073741824")]
    [InlineData("maxmemory", "1GB", "1073741824")]
    [InlineData("maxmemory", "10K", "10000")]
    [InlineData("maxmemory", "2m", "2000000")]
    [InlineData("maxmemory", "1b", "1")]
    [InlineData("maxmemory", "", "0")]
    [InlineData("maxmemory", "99999999999gb", "15140462030378500096")]
    [InlineData("maxmemory", "18446744073709551616", "18446744073709551615")]
    [InlineData("maxmemory-clients", "10%", "10%")]
    [InlineData("maxmemory-clients", "0%", "0")]
    [InlineData("maxmemory-clients", "1mb", "1048576")]
    [InlineData("hash-max-ziplist-value", "1kb", "1024")]
    [InlineData("hz", "0", "1")]
    [InlineData("hz", "1000", "500")]
    [InlineData("appendonly", "YES", "yes")]
    [InlineData("loglevel", "DEBUG", "debug")]
    [InlineData("maxmemory-policy", "ALLKEYS-LRU", "allkeys-lru")]
    [InlineData("oom-score-adj", "relative", "yes")]
    [InlineData("save", "", "")]
    [InlineData("save", "10 ", "10 0")]
    [InlineData("save", "010 +5", "10 5")]
    [InlineData("notify-keyspace-events", "KEA", "AKE")]
    [InlineData("notify-keyspace-events", "Ex", "xE")]
    [InlineData("notify-keyspace-events", "$lshzxetmdn", "$lshzxetdnm")]
    [InlineData("notify-keyspace-events", "g$lshzxetd", "A")]
    [InlineData("notify-keyspace-events", "AnmKE", "AKEm")]
    [InlineData("latency-tracking-info-percentiles", "0.1 1e1 50.000", "0.1 10 50")]
    [InlineData("latency-tracking-info-percentiles", "-0.0", "-0")]
    [InlineData("latency-tracking-info-percentiles", "", "")]
    [InlineData("shutdown-on-sigint", "default save", "save")]
    [InlineData("shutdown-on-sigint", "now SAVE", "save now")]
    [InlineData("client-output-buffer-limit", "NORMAL 1 2 3", "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60")]
    [InlineData("client-output-buffer-limit", "replica 1mb 2mb 10 pubsub 1 2 3", "normal 0 0 0 slave 1048576 2097152 10 pubsub 1 2 3")]
    [InlineData("bind", "127.0.0.1 -::1", "127.0.0.1 -::1")]
    [InlineData("bind", "", "")]
    [InlineData("proc-title-template", "a}}b {{x}} {port}", "a}}b {{x}} {port}")]
    [InlineData("cluster-announce-hostname", "ab.c-d", "ab.c-d")]
    public void Values_are_shown_canonically(string name, string value, string shown)
    {
        var config = new ServerConfig();

        Assert.Null(Set(config, name, value));
        Assert.Equal(shown, config.Get(name));
    }

    [Fact]
    public void Set_is_all_or_nothing()
    {
        var config = new ServerConfig();

        var error = Set(config, "timeout", "1", "maxmemory", "2mb", "save", "100 1", "maxclients", "0");

        Assert.Equal(Failed("maxclients", "argument must be between 1 and 4294967295 inclusive"), error);
        Assert.Equal("0", config.Get("timeout"));
        Assert.Equal("0", config.Get("maxmemory"));
        Assert.Equal("3600 1 300 100 60 10000", config.Get("save"));
    }

    [Fact]
    public void Name_and_alias_in_one_set_apply_in_order()
    {
        var config = new ServerConfig();

        Assert.Null(Set(config, "timeout", "10", "slave-read-only", "no", "replica-read-only", "yes"));
        Assert.Null(Set(config, "replica-read-only", "yes", "slave-read-only", "no"));

        Assert.Equal("10", config.Get("timeout"));
        Assert.False(config.ReplicaReadOnly);
        Assert.Equal("no", config.Get("slave-read-only"));
    }

    [Fact]
    public void Changed_reports_each_changed_parameter_once()
    {
        var config = new ServerConfig();
        var changed = new List<string>();
        config.Changed += changed.Add;

        Assert.Null(Set(config, "slave-read-only", "no", "timeout", "0", "maxmemory", "1mb", "hz", "20"));

        Assert.Equal(["replica-read-only", "hz", "maxmemory"], changed);
        Assert.Equal(1048576UL, config.MaxMemory);
        Assert.Equal(20, config.Hz);
    }

    [Fact]
    public void Changed_is_not_raised_on_failure()
    {
        var config = new ServerConfig();
        var changed = new List<string>();
        config.Changed += changed.Add;

        Assert.NotNull(Set(config, "timeout", "5", "maxclients", "x"));
        Assert.Empty(changed);
    }

    [Fact]
    public void Apply_hook_failure_undoes_the_set()
    {
        var config = new ServerConfig();
        var applied = new List<string>();
        config.ApplyHook = name =>
        {
            applied.Add($"{name}={config.Get(name)}");
            return name == "port" && config.Port == 1 ? "Unable to listen on this port. Check server logs." : null;
        };

        var error = Set(config, "timeout", "7", "port", "1");

        Assert.Equal(Failed("port", "Unable to listen on this port. Check server logs."), error);
        Assert.Equal(6379, config.Port);
        Assert.Equal(0, config.Timeout);
        Assert.Equal(["port=1", "port=6379", "timeout=0"], applied);
    }

    [Fact]
    public void Protected_parameters_need_enable_protected_configs()
    {
        var local = ServerConfig.Load(["--enable-protected-configs", "local"]);
        var dir = Directory.CreateTempSubdirectory("cfg").FullName;
        try
        {
            Assert.Equal(Failed("dir", "can't set protected config"), local.Set([("dir", dir)]));
            Assert.Null(local.Set([("dir", dir)], isLocalClient: true));
            Assert.Equal(Path.TrimEndingDirectorySeparator(dir), local.Dir);

            var yes = ServerConfig.Load(["--enable-protected-configs", "yes"]);
            Assert.Null(yes.Set([("dir", dir), ("dbfilename", "")]));
            Assert.Equal(string.Empty, yes.DbFilename);
            Assert.Equal(Failed("dbfilename", "dbfilename can't be a path, just a filename"), yes.Set([("dbfilename", "a/b")]));
            Assert.Equal(Failed("dir", "No such file or directory"), yes.Set([("dir", "/nonexistent-dir-for-test")]));
            Assert.Equal(Failed("dir", "Not a directory"), yes.Set([("dir", "/etc/passwd")]));
            Assert.Null(yes.Set([("dir", "..")]));
            Assert.Equal(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(dir)), yes.Get("dir"));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void Strings_that_may_be_unset()
    {
        var config = new ServerConfig();

        Assert.Null(Set(config, "masterauth", "secret", "requirepass", "pw"));
        Assert.Equal("secret", config.MasterAuth);
        Assert.Equal("pw", config.Get("requirepass"));

        Assert.Null(Set(config, "masterauth", "", "requirepass", ""));
        Assert.Null(config.MasterAuth);
        Assert.Null(config.RequirePass);
        Assert.Equal(string.Empty, config.Get("masterauth"));
    }

    [Fact]
    public void Replica_of_is_changed_by_the_replication_code_only()
    {
        var config = new ServerConfig();
        var changed = new List<string>();
        config.Changed += changed.Add;

        config.SetReplicaOf(new ReplicaOfTarget("127.0.0.1", 6380));
        Assert.Equal("127.0.0.1 6380", config.Get("slaveof"));
        Assert.Equal(new ReplicaOfTarget("127.0.0.1", 6380), config.ReplicaOf);

        config.SetReplicaOf(new ReplicaOfTarget("127.0.0.1", 6380));
        config.SetReplicaOf(null);
        Assert.Equal(string.Empty, config.Get("replicaof"));
        Assert.Equal(["replicaof", "replicaof"], changed);
    }

    [Fact]
    public void Instances_do_not_share_values()
    {
        var a = new ServerConfig();
        var b = new ServerConfig();

        Assert.Null(a.Set([("timeout", "42")]));

        Assert.Equal(42, a.Timeout);
        Assert.Equal(0, b.Timeout);
    }
}
