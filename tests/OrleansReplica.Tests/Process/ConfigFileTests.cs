using OrleansReplica.Client;
using OrleansReplica.TestingHost;
using OrleansReplica.Tests.Interop;

namespace OrleansReplica.Tests.ProcessLevel;

/// <summary>
/// redis.conf handling of the silo executable: directives honoured, fatal errors worded and numbered like
/// redis-server's, command-line options over the file, CONFIG REWRITE surviving a restart.
/// </summary>
public sealed class ConfigFileTests : SiloProcessTestBase
{
    private const string Password = "pass word";

    [Fact]
    public async Task Port_bind_requirepass_databases_dir_logfile_and_pidfile_are_honoured()
    {
        var port = RedisServerProcess.FreePort();
        var data = Directory.CreateDirectory(Path.Combine(WorkDir, "data")).FullName;
        var run = Directory.CreateDirectory(Path.Combine(WorkDir, "run")).FullName;
        var logFile = Path.Combine(data, "silo.log");
        var pidFile = Path.Combine(run, "silo.pid");
        var conf = WriteFile("redis.conf", $"""
            # A comment, then blank lines

            port {port}
            bind 127.0.0.1
            requirepass "{Password}"
            databases 4
            dir {data}
            logfile {logFile}
            pidfile {pidFile}
            save ""
            """);

        var silo = await StartListeningAsync(port, [conf]);

        await WaitUntilAsync(() => File.Exists(pidFile), StartTimeout, "the pidfile");
        Assert.Equal($"{silo.Id}\n", File.ReadAllText(pidFile));
        await silo.WaitForFileTextAsync(logFile, "Ready to accept connections tcp", StartTimeout);
        Assert.Contains($" PID: {silo.Id}", File.ReadAllText(logFile));
        Assert.DoesNotContain("Ready to accept connections", silo.Output);

        await using (var client = await RedisConnection.ConnectAsync("127.0.0.1", port))
        {
            Assert.Equal("NOAUTH Authentication required.", (await client.ExecuteAsync("PING")).AsString());
            Assert.Equal("WRONGPASS invalid username-password pair or user is disabled.", (await client.ExecuteAsync("AUTH", "wrong")).AsString());
            Assert.Equal("OK", (await client.ExecuteAsync("AUTH", Password)).AsString());
            Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
            Assert.Equal("OK", (await client.ExecuteAsync("SELECT", "3")).AsString());
            Assert.Equal("ERR DB index is out of range", (await client.ExecuteAsync("SELECT", "4")).AsString());
            Assert.Equal(["databases", "4"], (await client.ExecuteAsync("CONFIG", "GET", "databases")).AsList().Select(static v => v.AsString()));
            Assert.Equal(["bind", "127.0.0.1"], (await client.ExecuteAsync("CONFIG", "GET", "bind")).AsList().Select(static v => v.AsString()));
            Assert.Equal(["dir", data], (await client.ExecuteAsync("CONFIG", "GET", "dir")).AsList().Select(static v => v.AsString()));
            Assert.Contains($"config_file:{conf}", (await client.ExecuteAsync("INFO", "server")).AsString());
        }

        silo.Signal(SiloProcess.SigTerm);

        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        Assert.False(File.Exists(pidFile), "the pidfile is removed at exit");
        Assert.Contains("ready to exit, bye bye...", File.ReadAllText(logFile));
    }

    [Fact]
    public async Task Relative_logfile_and_pidfile_are_inside_dir_as_with_redis()
    {
        // redis-server changes into "dir" while reading the file, so relative paths land there.
        var port = RedisServerProcess.FreePort();
        var data = Directory.CreateDirectory(Path.Combine(WorkDir, "data")).FullName;
        var conf = WriteFile("redis.conf", $"""
            port {port}
            bind 127.0.0.1
            dir data
            logfile silo.log
            pidfile silo.pid
            """);

        var silo = await StartListeningAsync(port, [conf]);

        await WaitUntilAsync(() => File.Exists(Path.Combine(data, "silo.pid")) || File.Exists(Path.Combine(WorkDir, "silo.pid")), StartTimeout, "a pidfile");
        Assert.True(File.Exists(Path.Combine(data, "silo.pid")), $"no pidfile in dir {data}; files: {string.Join(", ", Directory.GetFiles(WorkDir, "*", SearchOption.AllDirectories))}");
        Assert.False(File.Exists(Path.Combine(WorkDir, "silo.pid")), "pidfile written to the working directory instead of dir");
        await silo.WaitForFileTextAsync(Path.Combine(data, "silo.log"), "Ready to accept connections tcp", TimeSpan.FromSeconds(5));
        Assert.False(File.Exists(Path.Combine(WorkDir, "silo.log")), "logfile written to the working directory instead of dir");

        silo.Signal(SiloProcess.SigTerm);
        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        Assert.False(File.Exists(Path.Combine(data, "silo.pid")), "the pidfile is removed at exit");
    }

    [Fact]
    public async Task Unknown_directive_fails_the_start_naming_the_line()
    {
        var conf = WriteFile("bad.conf", "# first line\nport 0\n\nfoo bar\nsave \"\"\n");

        var silo = Start(conf);

        Assert.Equal(1, await WaitForFailedStartAsync(silo));
        var message = silo.Errors;
        Assert.Contains("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***", message);
        Assert.Contains("Reading the configuration file, at line 4", message);
        Assert.Contains(">>> 'foo bar'", message);
        Assert.Contains("Bad directive or wrong number of arguments", message);
    }

    public static TheoryData<string, string> BadConfigurations() => new()
    {
        { "# comment\nfoo bar\n", "" },
        { "port abc\n", "" },
        { "port 99999\n", "" },
        { "databases 0\n", "" },
        { "requirepass\n", "" },
        { "maxmemory-policy foo\n", "" },
        { "appendonly maybe\n", "" },
        { "dir /nonexistent/orleansreplica\n", "" },
        { "save \"900\"\n", "" },
        { "port 0\n", "--foo bar" },
        { "port 0\n", "--port abc" },
        { "", "--databases" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task Fatal_config_errors_match_redis_server(string file, string options)
    {
        var conf = WriteFile("bad.conf", file);
        string[] arguments = [conf, .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

        var redis = await RedisTools.RunAsync("redis-server", arguments, timeout: TimeSpan.FromSeconds(20));
        var silo = Start(arguments);
        var exitCode = await WaitForFailedStartAsync(silo);

        Assert.Equal(1, redis.ExitCode);
        Assert.Equal(redis.ExitCode, exitCode);
        Assert.Equal(redis.Errors.Trim(), silo.Errors.Trim());
    }

    [Fact]
    public async Task Bind_without_addresses_refuses_to_start_like_redis()
    {
        var port = RedisServerProcess.FreePort();
        var conf = WriteFile("nobind.conf", $"port {port}\nbind\n");

        var silo = Start(conf);

        // redis-server 7.0: "# Configured to not listen anywhere, exiting." and exit code 1.
        Assert.Equal(1, await WaitForFailedStartAsync(silo));
        Assert.Contains("Configured to not listen anywhere, exiting.", silo.Output + silo.Errors);
    }

    [Fact]
    public async Task Command_line_options_override_the_file()
    {
        var filePort = RedisServerProcess.FreePort();
        var optionPort = RedisServerProcess.FreePort();
        var conf = WriteFile("redis.conf", $"port {filePort}\nbind 127.0.0.1\ndatabases 4\nmaxmemory-policy allkeys-lru\n");

        var silo = await StartListeningAsync(optionPort, [conf, "--port", Text(optionPort), "--databases", "8"]);

        Assert.Equal(Text(optionPort), await ConfigValueAsync(optionPort, "port"));
        Assert.Equal("8", await ConfigValueAsync(optionPort, "databases"));
        Assert.Equal("allkeys-lru", await ConfigValueAsync(optionPort, "maxmemory-policy"));
        Assert.Equal("OK", await CommandAsync(optionPort, "SELECT", "7"));
        Assert.Contains($"port={optionPort}", silo.Output);

        silo.Signal(SiloProcess.SigTerm);
        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
    }

    [Fact]
    public async Task Config_rewrite_then_restart_keeps_a_config_set_value()
    {
        var port = RedisServerProcess.FreePort();
        var conf = WriteFile("redis.conf", $"# Kept by CONFIG REWRITE\nport {port}\nbind 127.0.0.1\ntimeout 0\n");
        var first = await StartListeningAsync(port, [conf]);

        await using (var client = await RedisConnection.ConnectAsync("127.0.0.1", port))
        {
            Assert.Equal("OK", (await client.ExecuteAsync("CONFIG", "SET", "timeout", "123")).AsString());
            Assert.Equal("OK", (await client.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "volatile-lru")).AsString());
            Assert.Equal("OK", (await client.ExecuteAsync("CONFIG", "REWRITE")).AsString());
        }
        var rewritten = File.ReadAllText(conf);
        Assert.Contains("# Kept by CONFIG REWRITE", rewritten);
        Assert.Contains("timeout 123", rewritten);
        Assert.Contains("maxmemory-policy volatile-lru", rewritten);
        await ShutdownAsync(port, "NOSAVE");
        Assert.Equal(0, await first.WaitForExitAsync(StopTimeout));

        await StartListeningAsync(port, [conf]);

        Assert.Equal("123", await ConfigValueAsync(port, "timeout"));
        Assert.Equal("volatile-lru", await ConfigValueAsync(port, "maxmemory-policy"));
        Assert.Equal(Text(port), await ConfigValueAsync(port, "port"));
    }
}
