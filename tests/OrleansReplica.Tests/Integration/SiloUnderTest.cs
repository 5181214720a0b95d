using OrleansReplica.Client;
using OrleansReplica.Hosting.Server;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Integration;

/// <summary>One silo started for one test, with its settings; closes the connections it opened when disposed.</summary>
public sealed class SiloUnderTest : IAsyncDisposable
{
    private readonly List<RedisConnection> _connections = [];

    private SiloUnderTest(TestCluster cluster)
    {
        Cluster = cluster;
    }

    public TestCluster Cluster { get; }

    public Silo Silo => Cluster.Primary;

    public int Port => Silo.Port;

    /// <summary>Starts a silo with the given redis.conf-style settings (name, value).</summary>
    public static async Task<SiloUnderTest> StartAsync(params (string Name, string Value)[] settings)
    {
        var cluster = await TestCluster.StartAsync(1, (_, builder) =>
        {
            foreach (var (name, value) in settings)
            {
                builder.Configure(name, value);
            }
        });
        return new SiloUnderTest(cluster);
    }

    /// <summary>A new client connection to the silo on 127.0.0.1.</summary>
    public async Task<RedisConnection> ConnectAsync()
    {
        var connection = await RedisConnection.ConnectAsync("127.0.0.1", Port);
        lock (_connections)
        {
            _connections.Add(connection);
        }
        return connection;
    }

    /// <summary>A new connection that has already been served once, so the silo counts it as a client.</summary>
    public async Task<RedisConnection> ConnectServedAsync()
    {
        var connection = await ConnectAsync();
        Assert.Equal("PONG", (await connection.ExecuteAsync("PING")).AsString());
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        RedisConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
        await Cluster.DisposeAsync();
    }
}
