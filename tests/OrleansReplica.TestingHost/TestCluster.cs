using OrleansReplica.Hosting.Hosting;
using OrleansReplica.Hosting.Logging;
using OrleansReplica.Hosting.Replication.Transport;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.TestingHost;

/// <summary>
/// Starts silos inside the test process, each on its own free loopback port with its own data
/// directory, in the spirit of Orleans's TestCluster. Silos share nothing but the process.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<Silo> _silos = [];
    private readonly string _root = Directory.CreateTempSubdirectory("orleansreplica-").FullName;

    public IReadOnlyList<Silo> Silos => _silos;

    /// <summary>When set, replicas reach their masters through in-memory links of this network instead of TCP.</summary>
    public InMemoryReplicationNetwork? Network { get; private init; }

    public Silo Primary => _silos[0];

    /// <summary>Starts <paramref name="count"/> silos; <paramref name="configure"/> gets each silo's index.</summary>
    public static async Task<TestCluster> StartAsync(int count = 1, Action<int, SiloBuilder>? configure = null, bool inMemoryReplication = false)
    {
        var cluster = new TestCluster { Network = inMemoryReplication ? new InMemoryReplicationNetwork() : null };
        try
        {
            for (var i = 0; i < count; i++)
            {
                await cluster.StartSiloAsync(builder => configure?.Invoke(i, builder));
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public async Task<Silo> StartSiloAsync(Action<SiloBuilder>? configure = null)
    {
        var dir = Path.Combine(_root, $"silo{_silos.Count}");
        Directory.CreateDirectory(dir);
        var builder = new SiloBuilder()
            .Configure("port", "0")
            .Configure("bind", "127.0.0.1")
            .Configure("dir", dir)
            .Configure("save", "")
            .Configure("loglevel", "warning");
        configure?.Invoke(builder);
        var config = builder.BuildConfig();
        var silo = new Silo(config, new RedisLog(Path.Combine(dir, "silo.log"), RedisLog.ParseLevel(config.LogLevel)));
        if (Network is not null)
        {
            silo.ReplicationTransport = Network;
        }
        try
        {
            await silo.StartAsync();
            Network?.Register(silo.Port, silo);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        _silos.Add(silo);
        return silo;
    }

    public async Task StopSiloAsync(Silo silo)
    {
        _silos.Remove(silo);
        Network?.Unregister(silo.Port);
        await silo.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
        _silos.Clear();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
