using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.ProcessLevel;

/// <summary>
/// The .NET configuration of the silo executable: the "Silo" section of appsettings.json in the working
/// directory and Silo__name environment variables. The sources apply in this order, later ones winning:
/// appsettings.json next to the executable, appsettings.json in the working directory, environment
/// variables, redis.conf, command-line options.
/// </summary>
public sealed class DotnetConfigurationTests : SiloProcessTestBase
{
    [Fact]
    public async Task Appsettings_json_in_the_working_directory_sets_the_port()
    {
        var port = RedisServerProcess.FreePort();
        WriteFile("appsettings.json", $$"""{ "Silo": { "port": "{{port}}", "bind": "127.0.0.1" } }""");

        var silo = await StartListeningAsync(port, []);

        Assert.Equal("PONG", await CommandAsync(port, "PING"));
        Assert.Contains($"port={port}", silo.Output);
        await StopAsync(silo);
    }

    [Fact]
    public async Task Appsettings_json_accepts_numbers_and_multi_argument_values()
    {
        var port = RedisServerProcess.FreePort();
        WriteFile("appsettings.json", $$"""
            {
              "Silo": { "port": {{port}}, "bind": "127.0.0.1", "databases": 5, "save": "900 1 300 10", "maxmemory-policy": "allkeys-lfu" },
              "Logging": { "LogLevel": { "Default": "Warning" } }
            }
            """);

        var silo = await StartListeningAsync(port, []);

        Assert.Equal("OK", await CommandAsync(port, "SELECT", "4"));
        Assert.Equal("ERR DB index is out of range", await CommandAsync(port, "SELECT", "5"));
        Assert.Equal("900 1 300 10", await ConfigValueAsync(port, "save"));
        Assert.Equal("allkeys-lfu", await ConfigValueAsync(port, "maxmemory-policy"));
        await StopAsync(silo);
    }

    [Fact]
    public async Task Environment_variable_sets_the_port_without_appsettings()
    {
        var port = RedisServerProcess.FreePort();

        var silo = await StartListeningAsync(port, [], new Dictionary<string, string?> { ["Silo__port"] = Text(port), ["Silo__bind"] = "127.0.0.1" });

        Assert.Equal("PONG", await CommandAsync(port, "PING"));
        await StopAsync(silo);
    }

    [Fact]
    public async Task Environment_variable_overrides_appsettings_json()
    {
        var filePort = RedisServerProcess.FreePort();
        var environmentPort = RedisServerProcess.FreePort();
        WriteFile("appsettings.json", $$"""{ "Silo": { "port": "{{filePort}}", "bind": "127.0.0.1", "databases": "5" } }""");

        var silo = await StartListeningAsync(environmentPort, [], new Dictionary<string, string?> { ["Silo__port"] = Text(environmentPort) });

        Assert.Equal(Text(environmentPort), await ConfigValueAsync(environmentPort, "port"));
        // Settings the environment does not name still come from the file.
        Assert.Equal("5", await ConfigValueAsync(environmentPort, "databases"));
        await StopAsync(silo);
    }

    [Fact]
    public async Task Config_file_and_command_line_override_dotnet_configuration()
    {
        var confPort = RedisServerProcess.FreePort();
        var optionPort = RedisServerProcess.FreePort();
        var settingsPort = RedisServerProcess.FreePort();
        var conf = WriteFile("redis.conf", $"port {confPort}\nbind 127.0.0.1\ndatabases 3\nhz 20\n");
        WriteFile("appsettings.json", $$"""{ "Silo": { "port": "{{settingsPort}}", "databases": "6" } }""");

        WriteFile("appsettings.json", $$"""{ "Silo": { "port": "{{settingsPort}}", "databases": "6", "maxclients": "77" } }""");

        var silo = await StartListeningAsync(optionPort, [conf, "--port", Text(optionPort), "--hz", "30"]);

        // The command line wins, then the config file, then .NET configuration.
        Assert.Equal(Text(optionPort), await ConfigValueAsync(optionPort, "port"));
        Assert.Equal("3", await ConfigValueAsync(optionPort, "databases"));
        Assert.Equal("30", await ConfigValueAsync(optionPort, "hz"));
        Assert.Equal("77", await ConfigValueAsync(optionPort, "maxclients"));
        Assert.Equal("127.0.0.1", await ConfigValueAsync(optionPort, "bind"));
        await StopAsync(silo);
    }

    [Fact]
    public async Task Invalid_setting_fails_the_start_with_exit_code_1()
    {
        WriteFile("appsettings.json", """{ "Silo": { "port": "not-a-number" } }""");

        var silo = Start();

        Assert.Equal(1, await WaitForFailedStartAsync(silo));
        Assert.Contains("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***", silo.Errors);
        Assert.Contains("argument couldn't be parsed into an integer", silo.Errors);
    }

    private static async Task StopAsync(SiloProcess silo)
    {
        silo.Signal(SiloProcess.SigTerm);
        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
    }
}
