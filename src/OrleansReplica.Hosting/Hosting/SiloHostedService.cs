using Microsoft.Extensions.Hosting;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Hosting;

/// <summary>Runs a silo for the lifetime of a .NET generic host.</summary>
public sealed class SiloHostedService(Silo silo) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => silo.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => silo.StopAsync();
}
