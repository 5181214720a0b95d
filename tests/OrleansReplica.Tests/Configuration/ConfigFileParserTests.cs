using OrleansReplica.Hosting.Configuration;

namespace OrleansReplica.Tests.Configuration;

/// <summary>redis.conf and command line loading; error texts as printed by redis-server 7.0.15.</summary>
public sealed class ConfigFileParserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("orleansreplica-config").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Fatal(int line, string text, string reason) =>
        $"*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{reason}";

    private ConfigException LoadFails(string content, params string[] options) =>
        Assert.Throws<ConfigException>(() => ServerConfig.Load([Write("t.conf", content), .. options]));

    [Theory]
    [InlineData("port 1234\nfoo bar\n", 2, "foo bar", "Bad directive or wrong number of arguments")]
    [InlineData("port abc\n", 1, "port abc", "argument couldn't be parsed into an integer")]
    [InlineData("port 99999\n", 1, "port 99999", "argument must be between 0 and 65535 inclusive")]
    [InlineData("daemonize maybe\n", 1, "daemonize maybe", "argument must be 'yes' or 'no'")]
    [InlineData("port 1 2\n", 1, "port 1 2", "wrong number of arguments")]
    [InlineData("port\n", 1, "port", "wrong number of arguments")]
    [InlineData("port \"123\n", 1, "port \"123", "Unbalanced quotes in configuration line")]
    [InlineData("  # comment\n\n   port   \"abc\"  \n", 3, "port   \"abc\"", "argument couldn't be parsed into an integer")]
    [InlineData("save 0 0\n", 1, "save 0 0", "Invalid save parameters")]
    [InlineData("save \"900 1\" 300 10\n", 1, "save \"900 1\" 300 10", "Invalid save parameters")]
    [InlineData("loglevel loud\n", 1, "loglevel loud", "argument(s) must be one of the following: debug, verbose, notice, warning")]
    [InlineData("maxmemory 1x\n", 1, "maxmemory 1x", "argument must be a memory value")]
    [InlineData("replicaof 1.2.3.4\n", 1, "replicaof 1.2.3.4", "wrong number of arguments")]
    [InlineData("replicaof a 99999\n", 1, "replicaof a 99999", "Invalid master port")]
    [InlineData("client-output-buffer-limit normal 1 2\n", 1, "client-output-buffer-limit normal 1 2", "Wrong number of arguments in buffer limit configuration.")]
    [InlineData("masteruser x # comment\n", 1, "masteruser x # comment", "wrong number of arguments")]
    [InlineData("list-max-ziplist-value 5 6\n", 1, "list-max-ziplist-value 5 6", "Bad directive or wrong number of arguments")]
    [InlineData("sentinel monitor x\n", 1, "sentinel monitor x", "sentinel directive while not in sentinel mode")]
    [InlineData("foo.bar\n", 1, "foo.bar", "Module config specified without value")]
    [InlineData("dir /nonexistent-dir-for-test\n", 1, "dir /nonexistent-dir-for-test", "No such file or directory")]
    [InlineData("appendfilename \"\"\n", 1, "appendfilename \"\"", "appendfilename can't be empty")]
    [InlineData("dbfilename a/b\n", 1, "dbfilename a/b", "dbfilename can't be a path, just a filename")]
    [InlineData("shutdown-on-sigint save nosave\n", 1, "shutdown-on-sigint save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously")]
    [InlineData("unixsocketperm 800\n", 1, "unixsocketperm 800", "argument couldn't be parsed as an octal number")]
    [InlineData("unixsocketperm 77777\n", 1, "unixsocketperm 77777", "argument must be between 0 and 777 inclusive")]
    public void File_errors_show_line_and_reason(string content, int line, string text, string reason)
    {
        var error = LoadFails(content);

        Assert.Equal(Fatal(line, text, reason), error.Message);
        Assert.Equal(line, error.LineNumber);
        Assert.Equal(reason, error.Reason);
    }

    [Theory]
    [InlineData("timeout 5\n", new[] { "--port", "abc" }, 3, "port \"abc\"", "argument couldn't be parsed into an integer")]
    [InlineData("port 1234\n\n", new[] { "--port", "abc" }, 4, "port \"abc\"", "argument couldn't be parsed into an integer")]
    [InlineData("", new[] { "--port", "1", "--foo", "bar" }, 3, "foo \"bar\"", "Bad directive or wrong number of arguments")]
    [InlineData("", new[] { "--port", "1 2" }, 2, "port \"1 2\"", "argument couldn't be parsed into an integer")]
    [InlineData("", new[] { "--maxmemory", "a b\"c" }, 2, "maxmemory \"a b\\\"c\"", "argument must be a memory value")]
    [InlineData("", new[] { "--loglevel" }, 2, "loglevel", "wrong number of arguments")]
    [InlineData("", new[] { "--port", "1", "2" }, 2, "port \"1\" \"2\"", "wrong number of arguments")]
    [InlineData("", new[] { "--save", "--port", "abc" }, 3, "port \"abc\"", "argument couldn't be parsed into an integer")]
    [InlineData("", new[] { "--port", "--maxmemory", "x" }, 2, "port \"--maxmemory\" \"x\"", "wrong number of arguments")]
    public void Command_line_options_are_appended_config_lines(string content, string[] options, int line, string text, string reason)
    {
        Assert.Equal(Fatal(line, text, reason), LoadFails(content, options).Message);
    }

    [Fact]
    public void Missing_config_file()
    {
        string path = Path.Combine(_dir, "missing.conf");

        var error = Assert.Throws<ConfigException>(() => ServerConfig.Load([path]));

        Assert.Equal($"Fatal error, can't open config file '{path}': No such file or directory", error.Message);
    }

    [Fact]
    public void After_load_checks_name_no_line()
    {
        Assert.Equal(
            "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode",
            LoadFails("cluster-enabled yes\nreplicaof 127.0.0.1 1\n").Message);
        Assert.Equal(
            "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory",
            LoadFails("logfile /nonexistent-dir-for-test/x.log\n").Message);
    }

    [Fact]
    public void File_then_options_with_aliases_and_any_case()
    {
        string path = Write("a.conf", "# comment\nSLAVEOF 127.0.0.1 6390\nSlave-Read-Only no\nhash-max-ziplist-entries 77\nmasterauth \"pa ss\"\n");

        var config = ServerConfig.Load([path, "--port", "6380", "--requirepass", "a b", "--bind", "127.0.0.1", "::1"]);

        Assert.Equal(path, config.ConfigFile);
        Assert.Equal(new ReplicaOfTarget("127.0.0.1", 6390), config.ReplicaOf);
        Assert.False(config.ReplicaReadOnly);
        Assert.Equal(77, config.HashMaxListpackEntries);
        Assert.Equal("pa ss", config.MasterAuth);
        Assert.Equal(6380, config.Port);
        Assert.Equal("a b", config.RequirePass);
        Assert.Equal(["127.0.0.1", "::1"], config.Bind);
    }

    [Fact]
    public void Options_without_a_file()
    {
        var config = ServerConfig.Load(["--port", "6380", "--replicaof", "127.0.0.1", "6379", "--save", ""]);

        Assert.Null(config.ConfigFile);
        Assert.Equal(6380, config.Port);
        Assert.Equal(new ReplicaOfTarget("127.0.0.1", 6379), config.ReplicaOf);
        Assert.Empty(config.Save);
    }

    [Fact]
    public void Multi_argument_option_given_as_one_argument_is_split()
    {
        var config = ServerConfig.Load(["--replicaof", "127.0.0.1 6379", "--client-output-buffer-limit", "normal 1 2 3", "--shutdown-on-sigint", "save now"]);

        Assert.Equal("127.0.0.1 6379", config.Get("replicaof"));
        Assert.Equal(new OutputBufferLimit(1, 2, 3), config.GetOutputBufferLimit(ClientClass.Normal));
        Assert.Equal("save now", config.Get("shutdown-on-sigint"));
    }

    [Fact]
    public void Bare_save_before_another_option_means_no_snapshots()
    {
        Assert.Empty(ServerConfig.Load(["--save", "--appendonly", "yes"]).Save);
        Assert.Empty(ServerConfig.Load([Write("s.conf", "save 900 1\n"), "--save"]).Save);
    }

    [Theory]
    [InlineData("save 900 1\nsave 300 10\n", new string[0], "900 1 300 10")]
    [InlineData("\n", new string[0], "3600 1 300 100 60 10000")]
    [InlineData("save 900 1\n", new[] { "--save", "60", "100" }, "900 1 60 100")]
    [InlineData("save \"\"\nsave 10 1\n", new string[0], "10 1")]
    [InlineData("save 900 1\nsave \"\"\n", new string[0], "")]
    [InlineData("save 900 1 300 10\n", new string[0], "900 1 300 10")]
    [InlineData("save \"900 1\"\n", new string[0], "900 1")]
    public void Save_lines_add_up(string content, string[] options, string expected)
    {
        Assert.Equal(expected, ServerConfig.Load([Write("s.conf", content), .. options]).Get("save"));
    }

    [Fact]
    public void Stdin_is_read_after_the_file()
    {
        var config = ServerConfig.Load([Write("s.conf", "port 1\ntimeout 2\n"), "--timeout", "4", "-"], new StringReader("port 3\n"));

        Assert.Equal(3, config.Port);
        Assert.Equal(4, config.Timeout);
    }

    [Fact]
    public void Ignored_and_kept_directives()
    {
        var config = ServerConfig.Load([Write("d.conf",
            "lua-replicate-commands yes\nlist-max-ziplist-entries 5\nrename-command FLUSHALL \"\"\n" +
            "user alice on >pw ~* +@all\nloadmodule /x/y.so a b\nmymod.opt 5\nsentinel\n")]);

        Assert.Equal([("FLUSHALL", "")], config.RenamedCommands);
        Assert.Equal(["alice", "on", ">pw", "~*", "+@all"], Assert.Single(config.Users));
        Assert.Equal(["/x/y.so", "a", "b"], Assert.Single(config.LoadModules));
        Assert.Equal([("mymod.opt", "5")], config.ModuleConfigs);
    }

    [Fact]
    public void Include_is_relative_to_the_including_file_when_not_in_dir()
    {
        Write("conf/inc.conf", "# included\ntimeout 7\nsave 11 1\n");
        string main = Write("conf/main.conf", "include inc.conf\nport 1\n");

        var config = ServerConfig.Load([main]);

        Assert.Equal(7, config.Timeout);
        Assert.Equal([new SavePoint(11, 1)], config.Save);
        Assert.Equal(1, config.Port);
    }

    [Fact]
    public void Include_with_a_pattern_reads_matching_files_in_order()
    {
        Write("conf.d/a.conf", "maxmemory 1mb\n");
        Write("conf.d/b.conf", "maxmemory 2mb\nhz 20\n");
        Write("conf.d/c.txt", "foo bar\n");
        string main = Write("main.conf", $"include {_dir}/conf.d/*.conf\ninclude {_dir}/nomatch/*.conf\ninclude {_dir}/conf.d/z*.conf\n");

        var config = ServerConfig.Load([main]);

        Assert.Equal(2UL * 1024 * 1024, config.MaxMemory);
        Assert.Equal(20, config.Hz);
    }

    [Fact]
    public void Errors_in_an_included_file_give_its_line()
    {
        Write("bad.conf", "\n\nfoo bar\n");

        var error = LoadFails($"port 1\ninclude {_dir}/bad.conf\n");

        Assert.Equal(Fatal(3, "foo bar", "Bad directive or wrong number of arguments"), error.Message);
    }

    [Fact]
    public void Missing_include()
    {
        var error = LoadFails("include nope-for-test.conf\n");

        Assert.Equal("Fatal error, can't open config file 'nope-for-test.conf': No such file or directory", error.Message);
    }

    [Fact]
    public void Apply_directives_and_settings()
    {
        var config = new ServerConfig();

        config.ApplyDirectives([("port", ["6390"]), ("replicaof", ["10.0.0.1", "6379"]), ("requirepass", ["a \"b\""])]);
        config.ApplySettings([new("maxmemory", "1gb"), new("save", "900 1 300 10"), new("masteruser", "x y"), new("bind", "127.0.0.1 ::1")]);

        Assert.Equal(6390, config.Port);
        Assert.Equal(new ReplicaOfTarget("10.0.0.1", 6379), config.ReplicaOf);
        Assert.Equal("a \"b\"", config.RequirePass);
        Assert.Equal(1073741824UL, config.MaxMemory);
        Assert.Equal([new SavePoint(900, 1), new SavePoint(300, 10)], config.Save);
        Assert.Equal("x y", config.MasterUser);
        Assert.Equal(["127.0.0.1", "::1"], config.Bind);

        var error = Assert.Throws<ConfigException>(() => config.ApplySettings([new("port", "x")]));
        Assert.Equal(Fatal(1, "port \"x\"", "argument couldn't be parsed into an integer"), error.Message);
    }

    [Fact]
    public void Immutable_parameters_can_be_set_at_start()
    {
        var config = ServerConfig.Load(["--databases", "4", "--shards", "3", "--unixsocketperm", "700", "--hz", "1000"]);

        Assert.Equal(4, config.Databases);
        Assert.Equal(3, config.Shards);
        Assert.Equal("700", config.Get("unixsocketperm"));
        Assert.Equal(448, config.UnixSocketPerm);
        Assert.Equal(500, config.Hz);
    }
}
