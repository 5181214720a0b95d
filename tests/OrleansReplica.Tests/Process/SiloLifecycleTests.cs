using System.Net;
using System.Net.Sockets;
using OrleansReplica.Client;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.ProcessLevel;

/// <summary>The silo executable starts like redis-server, logs like it, and stops on SIGTERM, SIGINT and SHUTDOWN with exit code 0.</summary>
public sealed class SiloLifecycleTests : SiloProcessTestBase
{
    [Fact]
    public async Task Starts_on_the_port_option_logs_pid_and_ready_answers_ping_and_stops_on_sigterm()
    {
        var port = RedisServerProcess.FreePort();
        var silo = Start("--port", Text(port));

        await silo.WaitForOutputAsync("Ready to accept connections tcp", StartTimeout);
        Assert.Contains($" PID: {silo.Id}", silo.Output);
        Assert.Contains($"port={port}", silo.Output);
        Assert.Equal("PONG", await CommandAsync(port, "PING"));
        // With no config file the working directory is the data directory.
        Assert.Equal(WorkDir, (await ConfigValueAsync(port, "dir"))!.TrimEnd('/'));

        silo.Signal(SiloProcess.SigTerm);

        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        Assert.Contains("Received SIGTERM scheduling shutdown...", silo.Output);
        Assert.Contains("ready to exit, bye bye...", silo.Output);
        Assert.Equal(string.Empty, silo.Errors);
        await AssertNotListeningAsync(port);
    }

    [Fact]
    public async Task Log_lines_have_redis_format()
    {
        var port = RedisServerProcess.FreePort();
        var silo = Start("--port", Text(port));
        await silo.WaitForOutputAsync("Ready to accept connections tcp", StartTimeout);

        // "pid:M dd Mon yyyy HH:mm:ss.mmm * message", as redis-server writes to stdout.
        var ready = silo.Output.Split('\n').Single(static line => line.EndsWith("Ready to accept connections tcp", StringComparison.Ordinal));
        Assert.Matches($@"^{silo.Id}:M \d\d [A-Z][a-z][a-z] \d{{4}} \d\d:\d\d:\d\d\.\d{{3}} \* Ready to accept connections tcp$", ready);
    }

    [Fact]
    public async Task Sigint_stops_with_exit_code_zero()
    {
        var port = RedisServerProcess.FreePort();
        var silo = Start("--port", Text(port));
        await silo.WaitForOutputAsync("Ready to accept connections tcp", StartTimeout);

        silo.Signal(SiloProcess.SigInt);

        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        Assert.Contains("Received SIGINT scheduling shutdown...", silo.Output);
        Assert.Contains("ready to exit, bye bye...", silo.Output);
    }

    [Theory]
    [InlineData(SiloProcess.SigInt, "SIGINT")]
    [InlineData(SiloProcess.SigTerm, "SIGTERM")]
    public async Task A_signal_ignored_by_the_parent_still_stops_the_silo(int signal, string name)
    {
        // A shell without job control starts a background command with SIGINT ignored; redis-server
        // installs its own handlers whatever it inherited, and so must a silo.
        var port = RedisServerProcess.FreePort();
        var silo = Start(["--port", Text(port)], null, ignoredSignals: [SiloProcess.SigInt, SiloProcess.SigTerm]);
        await silo.WaitForOutputAsync("Ready to accept connections tcp", StartTimeout);

        silo.Signal(signal);

        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        Assert.Contains($"Received {name} scheduling shutdown...", silo.Output);
    }

    [Fact]
    public async Task Sigterm_as_soon_as_the_port_accepts_is_a_clean_shutdown()
    {
        // redis-server installs its signal handlers before it listens: a supervisor that sees the port open
        // may stop the server at once and still get a clean exit.
        var port = RedisServerProcess.FreePort();
        var silo = await StartListeningAsync(port, ["--port", Text(port)]);

        silo.Signal(SiloProcess.SigTerm);

        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        Assert.Contains("Received SIGTERM scheduling shutdown...", silo.Output);
        Assert.Contains("ready to exit, bye bye...", silo.Output);
    }

    [Fact]
    public async Task Sigterm_with_connected_clients_still_exits_promptly()
    {
        var port = RedisServerProcess.FreePort();
        var silo = await StartListeningAsync(port, ["--port", Text(port)]);
        await using var idle = await RedisConnection.ConnectAsync("127.0.0.1", port);
        await using var busy = await RedisConnection.ConnectAsync("127.0.0.1", port);
        Assert.Equal("OK", (await busy.ExecuteAsync("SET", "k", "v")).AsString());

        silo.Signal(SiloProcess.SigTerm);

        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        await WaitUntilClosedAsync(idle);
    }

    [Fact]
    public async Task Shutdown_nosave_over_the_wire_exits_with_code_zero()
    {
        var port = RedisServerProcess.FreePort();
        var silo = await StartListeningAsync(port, ["--port", Text(port)]);
        Assert.Equal("OK", await CommandAsync(port, "SET", "k", "v"));

        await ShutdownAsync(port, "NOSAVE");

        Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        Assert.Contains("User requested shutdown...", silo.Output);
        Assert.Contains("ready to exit, bye bye...", silo.Output);
        await AssertNotListeningAsync(port);
    }

    [Fact]
    public async Task A_port_in_use_fails_the_start_with_exit_code_1()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var silo = Start("--port", Text(port), "--bind", "127.0.0.1");

        Assert.Equal(1, await silo.WaitForExitAsync(StartTimeout));
        // redis-server: "Failed listening on port 6379 (tcp), aborting."
        Assert.Contains($"Failed listening on port {port} (tcp), aborting", silo.Output + silo.Errors);
    }

    private static async Task AssertNotListeningAsync(int port)
    {
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(async () => await client.ConnectAsync(IPAddress.Loopback, port));
    }

    private static async Task WaitUntilClosedAsync(RedisConnection connection)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (connection.IsConnected)
        {
            Assert.True(DateTime.UtcNow < deadline, "the client connection was not closed");
            await Task.Delay(10);
        }
    }
}
