using Microsoft.Extensions.DependencyInjection;
using OrleansReplica.Runtime.Tests.Grains;

namespace OrleansReplica.Runtime.Tests.Support;

/// <summary>Builds a grain runtime with the test grains and a probe (and optionally a manual clock) injected.</summary>
internal static class TestRuntime
{
    public static GrainRuntime Create(TurnProbe probe, TimeProvider? clock = null, bool collectible = false)
    {
        var services = new ServiceCollection().AddSingleton(probe);
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        var registry = new GrainRegistry()
            .AddGrain<ITestGrain, TestGrain>(invoker => new TestGrainReference(invoker), collectible)
            .AddGrain<IStreamGrain, StreamGrain>(invoker => new StreamGrainReference(invoker));
        return new GrainRuntime(registry, services.BuildServiceProvider());
    }

    public static GrainReference<T> AsReference<T>(T grain) where T : class, IGrain => (GrainReference<T>)(object)grain;
}
