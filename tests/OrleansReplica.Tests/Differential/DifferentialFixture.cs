using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Differential;

/// <summary>One real redis-server and one silo (four shards, to exercise cross-shard paths), shared by the scripts.</summary>
public sealed class DifferentialFixture : IAsyncLifetime
{
    public RedisServerProcess Redis { get; private set; } = null!;

    public TestCluster Cluster { get; private set; } = null!;

    public int SiloPort => Cluster.Primary.Port;

    public async Task InitializeAsync()
    {
        Redis = await RedisServerProcess.StartAsync();
        Cluster = await TestCluster.StartAsync(1, static (_, silo) => silo.Configure("shards", "4"));
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DifferentialCollection : ICollectionFixture<DifferentialFixture>
{
    public const string Name = "differential";
}
