using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansReplica.Hosting.Server;

namespace OrleansReplica.Hosting.Hosting;

/// <summary>Hosts a silo inside any .NET application built on the generic host.</summary>
public static class ReplicaSiloHostingExtensions
{
    /// <summary>
    /// Adds a silo configured from the "Silo" configuration section and then <paramref name="configure"/>;
    /// it starts and stops with the host.
    /// </summary>
    public static IHostApplicationBuilder UseReplicaSilo(this IHostApplicationBuilder builder, Action<SiloBuilder>? configure = null)
    {
        var silo = new SiloBuilder().UseConfiguration(builder.Configuration.GetSection("Silo"));
        configure?.Invoke(silo);
        builder.Services.AddSingleton(_ => silo.Build());
        builder.Services.AddHostedService(services => new SiloHostedService(services.GetRequiredService<Silo>()));
        return builder;
    }
}
