using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansReplica.TestingHost;

/// <summary>
/// The silo executable (<c>dotnet silo.dll</c>) started as a child process with its standard output and
/// error captured, for tests of the command line, configuration files, signals and exit codes.
/// It builds nothing: the silo must already be built next to the test output (a project reference does that).
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    /// <summary>POSIX signal numbers (Linux).</summary>
    public const int SigInt = 2;

    public const int SigKill = 9;

    public const int SigTerm = 15;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();

    private SiloProcess(Process process, string workingDirectory)
    {
        _process = process;
        WorkingDirectory = workingDirectory;
    }

    /// <summary>The process id (the same process as the one the silo logs: the dotnet host runs the app in-process).</summary>
    public int Id => _process.Id;

    public string WorkingDirectory { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything written to standard output so far, lines joined with '\n'.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Everything written to standard error so far, lines joined with '\n'.</summary>
    public string Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>dotnet silo.dll arguments...</c> in <paramref name="workingDirectory"/>. Variables in
    /// <paramref name="environment"/> are set (a null value removes one); inherited <c>Silo__*</c> variables
    /// are removed first so that the test alone decides the .NET configuration the silo sees.
    /// Signals in <paramref name="ignoredSignals"/> start out ignored, as a shell's background job starts with SIGINT ignored
    /// (a shell sets them, then replaces itself with the silo: the process id stays the silo's).
    /// </summary>
    public static SiloProcess Start(string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, IReadOnlyCollection<int>? ignoredSignals = null)
    {
        var start = new ProcessStartInfo(ignoredSignals is null ? FindDotnetHost() : "/bin/sh")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (ignoredSignals is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"trap '' {string.Join(' ', ignoredSignals)}; exec \"$@\"");
            start.ArgumentList.Add("sh");
            start.ArgumentList.Add(FindDotnetHost());
        }
        start.ArgumentList.Add(FindSiloAssembly());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(static k => k.StartsWith("Silo__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Silo:", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var silo = new SiloProcess(process, workingDirectory);
        process.OutputDataReceived += (_, e) => silo.Append(silo._output, e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(silo._errors, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // The silo never reads its standard input; closing it keeps "-" (config from stdin) from hanging.
        process.StandardInput.Close();
        return silo;
    }

    /// <summary>
    /// silo.dll of the same build configuration as the running tests: next to the test assembly if it was
    /// copied there, otherwise in the repository's <c>silo/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>.
    /// </summary>
    public static string FindSiloAssembly()
    {
        var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var beside = Path.Combine(baseDirectory, "silo.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(baseDirectory, "silo.runtimeconfig.json")))
        {
            return beside;
        }

        // tests/<project>/bin/<configuration>/<tfm>
        var framework = Path.GetFileName(baseDirectory);
        var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)) ?? "Debug";
        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            var siloProject = Path.Combine(dir.FullName, "silo", "OrleansReplica.Silo.csproj");
            if (!File.Exists(siloProject))
            {
                continue;
            }
            var sameConfiguration = Path.Combine(dir.FullName, "silo", "bin", configuration, framework, "silo.dll");
            if (File.Exists(sameConfiguration))
            {
                return sameConfiguration;
            }
            var anyConfiguration = Directory.Exists(Path.Combine(dir.FullName, "silo", "bin"))
                ? Directory.EnumerateFiles(Path.Combine(dir.FullName, "silo", "bin"), "silo.dll", SearchOption.AllDirectories)
                    .OrderByDescending(File.GetLastWriteTimeUtc)
                    .FirstOrDefault()
                : null;
            return anyConfiguration
                ?? throw new FileNotFoundException($"silo.dll is not built: expected {sameConfiguration} (build silo/OrleansReplica.Silo.csproj).");
        }
        throw new FileNotFoundException($"silo/OrleansReplica.Silo.csproj not found above {baseDirectory}.");
    }

    /// <summary>The dotnet host running these tests (so the silo gets the same runtimes).</summary>
    public static string FindDotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        var runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        var root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(runtime)));
        if (root is not null && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }
        return RedisServerProcess.FindOnPath("dotnet")
            ?? throw new FileNotFoundException("The dotnet host was not found.");
    }

    /// <summary>Waits until standard output contains <paramref name="text"/>; fails early if the process exits.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        WaitForTextAsync(() => Output, text, "standard output", timeout);

    /// <summary>Waits until standard error contains <paramref name="text"/>.</summary>
    public Task WaitForErrorsAsync(string text, TimeSpan timeout) =>
        WaitForTextAsync(() => Errors, text, "standard error", timeout);

    /// <summary>Waits until a file (e.g. the configured logfile) contains <paramref name="text"/>.</summary>
    public Task WaitForFileTextAsync(string path, string text, TimeSpan timeout) =>
        WaitForTextAsync(() => ReadShared(path), text, path, timeout);

    /// <summary>Waits until a TCP connection to 127.0.0.1:<paramref name="port"/> succeeds.</summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with code {_process.ExitCode} before listening on {port}.\n{Describe()}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(PollInterval);
            }
            catch (SocketException)
            {
                throw new TimeoutException($"The silo did not listen on {port} within {timeout}.\n{Describe()}");
            }
        }
    }

    /// <summary>Waits for the process to exit (and its output to be drained) and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The silo did not exit within {timeout}.\n{Describe()}");
        }
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (Process.Kill only sends SIGKILL).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Process id, exit state and captured output, for assertion messages.</summary>
    public string Describe()
    {
        var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : "running";
        return $"silo pid {_process.Id} ({state})\n--- stdout ---\n{Output}\n--- stderr ---\n{Errors}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }

    private async Task WaitForTextAsync(Func<string> read, string text, string where, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!read().Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                // Let the output readers drain before the last look.
                await _process.WaitForExitAsync();
                if (read().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
                throw new InvalidOperationException($"The silo exited without writing \"{text}\" to {where}.\n{Describe()}");
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"\"{text}\" did not appear in {where} within {timeout}.\n{Describe()}");
            }
            await Task.Delay(PollInterval);
        }
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            target.Append(line).Append('\n');
        }
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return string.Empty;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
