using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using OrleansReplica.Hosting.CheckTools;
using OrleansReplica.Hosting.Configuration;
using OrleansReplica.Hosting.Hosting;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Hosting.Server;
using OrleansReplica.Hosting.Persistence;
using OrleansReplica.Protocol.Aof;
using OrleansReplica.Protocol.Rdb;

ShutdownSignals.RestoreDefaults();

// Offline tools (as redis-check-aof and redis-check-rdb) run before any server configuration is read.
if (args.Length > 0 && args[0] == "check-aof")
{
    return CheckAofTool.Run(args[1..], Console.Out);
}
if (args.Length > 0 && args[0] == "check-rdb")
{
    return CheckRdbTool.Run(args[1..], Console.Out);
}

var dotnetConfiguration = new ConfigurationBuilder()
    .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
    .AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true)
    .AddEnvironmentVariables()
    .Build();

ServerConfig config;
try
{
    config = new SiloBuilder()
        .UseConfiguration(dotnetConfiguration.GetSection("Silo"))
        .UseCommandLine(args)
        .BuildConfig();
}
catch (ConfigException error)
{
    Console.Error.WriteLine(error.Message);
    return 1;
}

// Socket completions run inline on the event threads: our per-request work is short and
// non-blocking, and skipping the thread-pool hop per read is worth 10-30% at pipeline depth 1.
// io-threads (default 1, as Redis) sets how many event threads there are: with one, every
// connection is served by one thread that never waits for another to finish a shard's turn.
// Both must be set before the first socket is created.
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", config.GetNumber("io-threads").ToString(System.Globalization.CultureInfo.InvariantCulture));

if (config.Bind.Count == 0)
{
    Console.Error.WriteLine($"{Environment.ProcessId}:M {DateTime.Now:dd MMM yyyy HH:mm:ss.fff} # Configured to not listen anywhere, exiting.");
    return 1;
}

// Relative logfile and pidfile paths live in dir, as with redis-server (which chdirs there).
string InDir(string path) => Path.IsPathRooted(path) ? path : Path.Combine(config.Dir, path);
var pidFile = string.IsNullOrEmpty(config.PidFile) ? null : InDir(config.PidFile);
var log = new RedisLog(string.IsNullOrEmpty(config.LogFile) ? null : InDir(config.LogFile), RedisLog.ParseLevel(config.LogLevel));
log.Notice("oO0OoO0OoO0Oo OrleansReplica is starting oO0OoO0OoO0Oo");
log.Notice($"OrleansReplica (Redis version={ServerInfo.RedisVersion}), bits={IntPtr.Size * 8}, pid={Environment.ProcessId}, just started");
log.Notice(args.Length == 0 ? "Warning: no config file specified, using the default config." : "Configuration loaded");
if (config.Daemonize)
{
    log.Warning("daemonize yes is not supported: running in the foreground.");
}

await using var silo = new Silo(config, log);

// Handlers go in before the port opens: a signal that arrives once clients can connect must
// always end in a clean shutdown.
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    log.Warning($"Received {(context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM")} scheduling shutdown...");
    _ = ShutdownOnSignalAsync();
}

// As redis-server: save first when save points are set; a failed save keeps the silo running.
async Task ShutdownOnSignalAsync()
{
    if (await silo.PrepareForShutdownAsync())
    {
        await silo.StopAsync();
    }
}
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

log.Raw($"                OrleansReplica {ServerInfo.RedisVersion}-compatible, {IntPtr.Size * 8} bit");
log.Raw($"                Running mode=standalone, port={config.Port}.");
log.Raw($"                PID: {Environment.ProcessId}");
try
{
    await silo.StartAsync();
}
catch (RdbFormatException error)
{
    log.Warning($"Bad file format reading the RDB file: {error.Message}. Unrecoverable error, aborting now.");
    return 1;
}
catch (Exception error) when (error is AofLoadException or AofManifestException)
{
    log.Warning($"{error.Message}. Unrecoverable error, aborting now.");
    return 1;
}
catch (IOException error)
{
    log.Warning($"Failed listening on port {config.Port} (tcp), aborting: {error.Message}");
    return 1;
}
if (pidFile is not null)
{
    // Written aside and renamed into place, so that whoever sees the file sees the whole pid.
    var written = pidFile + ".tmp";
    File.WriteAllText(written, Environment.ProcessId + "\n");
    File.Move(written, pidFile, overwrite: true);
}

await silo.Stopped;
if (pidFile is not null)
{
    File.Delete(pidFile);
}
log.Warning("OrleansReplica is now ready to exit, bye bye...");
return 0;
