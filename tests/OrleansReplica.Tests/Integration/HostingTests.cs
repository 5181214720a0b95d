using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansReplica.Client;
using OrleansReplica.Hosting.Hosting;
using OrleansReplica.Hosting.Server;
using OrleansReplica.TestingHost;

namespace OrleansReplica.Tests.Integration;

/// <summary>A silo hosted inside an ordinary .NET generic-host application.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task UseReplicaSilo_runs_a_silo_for_the_lifetime_of_the_host()
    {
        var port = RedisServerProcess.FreePort();
        var dir = Directory.CreateTempSubdirectory("hosted-").FullName;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:port"] = port.ToString(),
            ["Silo:bind"] = "127.0.0.1",
            ["Silo:dir"] = dir,
            ["Silo:databases"] = "4",
        });
        builder.UseReplicaSilo(silo => silo.Configure("maxclients", "50").Configure("loglevel", "warning"));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await using var client = await RedisConnection.ConnectAsync("127.0.0.1", port);
            Assert.Equal("PONG", (await client.ExecuteAsync("PING")).AsString());
            Assert.Equal("OK", (await client.ExecuteAsync("SET", "k", "v")).AsString());
            Assert.Equal("v", (await client.ExecuteAsync("GET", "k")).AsString());
            Assert.Equal("4", (await client.ExecuteAsync("CONFIG", "GET", "databases")).AsList()![1].AsString());
            Assert.Equal("50", (await client.ExecuteAsync("CONFIG", "GET", "maxclients")).AsList()![1].AsString());
            Assert.Same(host.Services.GetRequiredService<Silo>(), host.Services.GetRequiredService<Silo>());
        }
        finally
        {
            await host.StopAsync();
        }
        await Assert.ThrowsAnyAsync<Exception>(() => RedisConnection.ConnectAsync("127.0.0.1", port));
        Directory.Delete(dir, recursive: true);
    }
}
