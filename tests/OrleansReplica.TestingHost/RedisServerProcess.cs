using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrleansReplica.TestingHost;

/// <summary>A real redis-server (the Debian package) on a free loopback port, for differential and interop tests.</summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServerProcess(Process process, int port, string dir)
    {
        _process = process;
        Port = port;
        Dir = dir;
    }

    public int Port { get; }

    public string Dir { get; }

    public static async Task<RedisServerProcess> StartAsync(params string[] extraArguments)
    {
        var path = FindOnPath("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed: tests/run installs it (apt-get install redis-server).");
        var port = FreePort();
        var dir = Directory.CreateTempSubdirectory("redis-").FullName;
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--enable-debug-command", "yes" }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitForPortAsync(port, process);
        return new RedisServerProcess(process, port, dir);
    }

    /// <summary>A port nobody listens on right now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// Waits until redis-server answers PING with anything but -LOADING: it accepts connections while
    /// it still loads its data files (a server with requirepass answers -NOAUTH, which also means ready).
    /// </summary>
    private static async Task WaitForPortAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}.");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var reply = new byte[64];
                var read = await stream.ReadAsync(reply);
                if (read > 0 && !reply.AsSpan(0, read).StartsWith("-LOADING"u8))
                {
                    return;
                }
            }
            catch (Exception error) when (error is SocketException or IOException)
            {
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"redis-server was not ready on {port} within 20 s.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
