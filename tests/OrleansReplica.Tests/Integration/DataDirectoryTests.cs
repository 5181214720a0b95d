using OrleansReplica.Client;
using OrleansReplica.Hosting.Server;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Integration;

/// <summary>
/// Tests of what a silo keeps on disk: one data directory shared by the silos a test starts (and
/// restarts) in turn, deleted at the end.
/// </summary>
public abstract class DataDirectoryTests : IAsyncLifetime
{
    protected DataDirectoryTests(params (string Name, string Value)[] defaults)
    {
        Defaults = defaults;
    }

    /// <summary>The silos' dir.</summary>
    protected string DataDir { get; } = Directory.CreateTempSubdirectory("silo-data-").FullName;

    protected TestCluster Cluster { get; private set; } = null!;

    private (string Name, string Value)[] Defaults { get; }

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(0);

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(DataDir, recursive: true);
    }

    /// <summary>Starts a silo on the data directory with the class's defaults, then <paramref name="settings"/>.</summary>
    protected Task<Silo> StartSiloAsync(params (string Name, string Value)[] settings) =>
        Cluster.StartSiloAsync(builder =>
        {
            builder.Configure("dir", DataDir);
            foreach (var (name, value) in Defaults.Concat(settings))
            {
                builder.Configure(name, value);
            }
        });

    /// <summary>Stops the running silo and starts another on the same directory.</summary>
    protected async Task<Silo> RestartAsync(params (string Name, string Value)[] settings)
    {
        await Cluster.StopSiloAsync(Cluster.Primary);
        return await StartSiloAsync(settings);
    }

    protected static Task<RedisConnection> ConnectAsync(Silo silo) => RedisConnection.ConnectAsync("127.0.0.1", silo.Port);
}
