using Microsoft.Extensions.DependencyInjection;
using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>Maps each grain interface to its grain class and the factory of its reference class.</summary>
public sealed class GrainRegistry
{
    private readonly Dictionary<Type, GrainRegistration> registrations = [];

    /// <summary>
    /// Registers a grain class for its interface. A <paramref name="collectible"/> grain's activation is
    /// forgotten when it deactivates, so grains used once under a fresh key (one per full sync) leave
    /// nothing behind; the next call for its id starts a new activation. Its callers take a reference from
    /// the factory for each use: a reference kept across the deactivation still reaches the old one.
    /// </summary>
    public GrainRegistry AddGrain<TGrainInterface, TGrain>(Func<GrainInvoker<TGrainInterface>, TGrainInterface> referenceFactory, bool collectible = false)
        where TGrainInterface : class, IGrain
        where TGrain : Grain, TGrainInterface
    {
        ArgumentNullException.ThrowIfNull(referenceFactory);
        var createGrain = ActivatorUtilities.CreateFactory(typeof(TGrain), Type.EmptyTypes);
        registrations[typeof(TGrainInterface)] = new GrainRegistration(
            services => (Grain)createGrain(services, null),
            activation => referenceFactory(new GrainInvoker<TGrainInterface>(activation)),
            collectible);
        return this;
    }

    internal Dictionary<Type, GrainRegistration> Snapshot() => new(registrations);
}
