using System.Diagnostics;
using System.Globalization;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Interop;

/// <summary>What a command-line tool printed and how it exited.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Errors)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Errors}";
}

/// <summary>Runs the Redis command-line tools from the Debian packages (redis-cli, redis-benchmark) against a port.</summary>
public static class RedisTools
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary><c>redis-cli -h 127.0.0.1 -p PORT args...</c>, with optional standard input.</summary>
    public static Task<ToolResult> CliAsync(int port, IEnumerable<string> arguments, byte[]? input = null, TimeSpan? timeout = null) =>
        RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. arguments], input, timeout);

    /// <summary>redis-cli that must exit with 0; returns its standard output.</summary>
    public static async Task<string> CliOutputAsync(int port, params string[] arguments)
    {
        var result = await CliAsync(port, arguments);
        Assert.True(result.ExitCode == 0, $"redis-cli {string.Join(' ', arguments)}: {result}");
        return result.Output;
    }

    /// <summary><c>redis-benchmark -h 127.0.0.1 -p PORT args...</c>.</summary>
    public static Task<ToolResult> BenchmarkAsync(int port, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        RunAsync("redis-benchmark", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. arguments], null, timeout);

    /// <summary>Runs a tool found on PATH; kills it and fails when it outlives <paramref name="timeout"/>.</summary>
    public static async Task<ToolResult> RunAsync(string tool, IEnumerable<string> arguments, byte[]? input = null, TimeSpan? timeout = null)
    {
        var path = RedisServerProcess.FindOnPath(tool)
            ?? throw new InvalidOperationException($"{tool} is not installed: tests/run installs it (apt-get install redis-tools).");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
        }
        process.StandardInput.Close();

        var limit = timeout ?? DefaultTimeout;
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish within {limit}.\n--- stdout ---\n{await output}\n--- stderr ---\n{await errors}");
        }
        return new ToolResult(process.ExitCode, await output, await errors);
    }
}
