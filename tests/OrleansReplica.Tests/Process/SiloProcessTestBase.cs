using System.Globalization;
using OrleansReplica.Client;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.ProcessLevel;

/// <summary>
/// A private working directory per test and the silo processes started in it (killed, if still running, and
/// the directory deleted at the end).
/// </summary>
public abstract class SiloProcessTestBase : IAsyncLifetime
{
    /// <summary>Generous: a cold dotnet start on a busy two-core machine, with other tests running.</summary>
    protected static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a stop (SIGTERM, SHUTDOWN) may take, as the product promises.</summary>
    protected static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    private readonly List<SiloProcess> _silos = [];

    protected string WorkDir { get; } = Directory.CreateTempSubdirectory("silo-process-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    protected static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    protected SiloProcess Start(params string[] arguments) => Start(arguments, null);

    protected SiloProcess Start(string[] arguments, IReadOnlyDictionary<string, string?>? environment, IReadOnlyCollection<int>? ignoredSignals = null)
    {
        var silo = SiloProcess.Start(WorkDir, arguments, environment, ignoredSignals);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Starts the silo and waits until it accepts connections on <paramref name="port"/>.</summary>
    protected async Task<SiloProcess> StartListeningAsync(int port, string[] arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var silo = Start(arguments, environment);
        var listening = silo.WaitForPortAsync(port, StartTimeout);
        // Fail at once, rather than after the timeout, when the silo came up on another port.
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!listening.IsCompleted)
        {
            var output = silo.Output;
            Assert.False(
                output.Contains("Ready to accept connections", StringComparison.Ordinal) && !output.Contains($"port={port}.", StringComparison.Ordinal),
                $"the silo started on another port than {port}:\n{silo.Describe()}");
            Assert.True(DateTime.UtcNow < deadline, $"the silo did not listen on {port}:\n{silo.Describe()}");
            await Task.WhenAny(listening, Task.Delay(20));
        }
        await listening;
        return silo;
    }

    /// <summary>
    /// For starts that must fail: waits until the silo exits and returns its exit code, but fails at once if it
    /// starts serving instead (rather than waiting for a timeout).
    /// </summary>
    protected static async Task<int> WaitForFailedStartAsync(SiloProcess silo)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!silo.HasExited)
        {
            Assert.False(silo.Output.Contains("Ready to accept connections", StringComparison.Ordinal), "the silo started instead of failing:\n" + silo.Describe());
            Assert.True(DateTime.UtcNow < deadline, "the silo neither failed nor started:\n" + silo.Describe());
            await Task.Delay(20);
        }
        return await silo.WaitForExitAsync(StopTimeout);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    protected static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout} waiting for {what}");
            await Task.Delay(20);
        }
    }

    protected string WriteFile(string name, string text)
    {
        var path = Path.Combine(WorkDir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    protected static async Task<string?> CommandAsync(int port, params object[] arguments)
    {
        await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", port);
        return (await connection.ExecuteAsync(arguments)).AsString();
    }

    /// <summary>CONFIG GET of one parameter: its value.</summary>
    protected static async Task<string?> ConfigValueAsync(int port, string name)
    {
        await using var client = await RedisConnection.ConnectAsync("127.0.0.1", port);
        var reply = (await client.ExecuteAsync("CONFIG", "GET", name)).AsList();
        Assert.Equal(2, reply.Count);
        return reply[1].AsString();
    }

    /// <summary>SHUTDOWN over the wire: Redis closes the connection instead of replying.</summary>
    protected static async Task ShutdownAsync(int port, params string[] modifiers)
    {
        await using var connection = await RedisConnection.ConnectAsync("127.0.0.1", port);
        object[] command = ["SHUTDOWN", .. modifiers];
        try
        {
            var reply = await connection.ExecuteAsync(command);
            Assert.Fail($"SHUTDOWN was answered: {reply}");
        }
        catch (IOException)
        {
            // The connection closed: the expected outcome.
        }
    }
}
