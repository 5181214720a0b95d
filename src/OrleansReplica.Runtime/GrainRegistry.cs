using Microsoft.Extensions.DependencyInjection;
using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>Maps each grain interface to its grain class and the factory of its reference class.</summary>
public sealed class GrainRegistry
{
    private readonly Dictionary<Type, GrainRegistration> registrations = [];

    public GrainRegistry AddGrain<TGrainInterface, TGrain>(Func<GrainInvoker<TGrainInterface>, TGrainInterface> referenceFactory)
        where TGrainInterface : class, IGrain
        where TGrain : Grain, TGrainInterface
    {
        ArgumentNullException.ThrowIfNull(referenceFactory);
        var createGrain = ActivatorUtilities.CreateFactory(typeof(TGrain), Type.EmptyTypes);
        registrations[typeof(TGrainInterface)] = new GrainRegistration(
            services => (Grain)createGrain(services, null),
            activation => referenceFactory(new GrainInvoker<TGrainInterface>(activation)));
        return this;
    }

    internal Dictionary<Type, GrainRegistration> Snapshot() => new(registrations);
}
