using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrleansReplica.Protocol.Tests.Support;

/// <summary>A private redis-server (the reference implementation) on a free port in 17000-17999, stopped on dispose.</summary>
public sealed class RedisServerFixture : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly string _directory;

    public RedisServerFixture()
    {
        string executable = FindOnPath("redis-server")
            ?? throw new InvalidOperationException(
                "redis-server was not found on PATH. These tests compare against the reference Redis 7.0; install it (Debian package 'redis-server').");
        RedisCli = FindOnPath("redis-cli");
        _directory = Directory.CreateTempSubdirectory("orleans-replica-redis-").FullName;

        Exception? lastError = null;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            int port = Random.Shared.Next(17000, 18000);
            if (!IsPortFree(port))
            {
                continue;
            }

            var process = Start(executable, port);
            try
            {
                WaitUntilReady(process, port);
                _process = process;
                Port = port;
                return;
            }
            catch (Exception e)
            {
                lastError = e;
                Stop(process);
            }
        }

        throw new InvalidOperationException("Could not start a private redis-server.", lastError);
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>Path of redis-cli, or null when it is not installed.</summary>
    public string? RedisCli { get; }

    public void Dispose()
    {
        Stop(_process);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private Process Start(string executable, int port)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (string arg in new[]
        {
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", string.Empty, "--appendonly", "no", "--daemonize", "no", "--dir", _directory,
            "--enable-debug-command", "yes",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void WaitUntilReady(Process process, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} while starting on port {port}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var reply = new byte[7];
                int read = 0;
                while (read < reply.Length)
                {
                    int n = stream.Read(reply, read, reply.Length - read);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                if (reply.AsSpan(0, read).SequenceEqual("+PONG\r\n"u8))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            process.WaitForExit(50);
        }

        throw new TimeoutException($"redis-server did not answer PING on port {port} within {StartTimeout}");
    }

    private static void Stop(Process process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
