using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Interop;

/// <summary>One in-process silo and one real redis-server 7.0, both on loopback, shared by a test class's tests.</summary>
public sealed class InteropFixture : IAsyncLifetime
{
    public RedisServerProcess Redis { get; private set; } = null!;

    public TestCluster Cluster { get; private set; } = null!;

    public int SiloPort => Cluster.Primary.Port;

    public int RedisPort => Redis.Port;

    public async Task InitializeAsync()
    {
        Redis = await RedisServerProcess.StartAsync();
        Cluster = await TestCluster.StartAsync(1);
    }

    /// <summary>Empties both servers, so that each test starts from the same state on both.</summary>
    public async Task FlushAllAsync()
    {
        foreach (var port in new[] { SiloPort, RedisPort })
        {
            await using var connection = await OrleansReplica.Client.RedisConnection.ConnectAsync("127.0.0.1", port);
            var reply = await connection.ExecuteAsync("FLUSHALL");
            Assert.Equal("OK", reply.AsString());
        }
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
