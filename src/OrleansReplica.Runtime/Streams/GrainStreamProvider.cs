using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>A grain's view of a stream provider: what it subscribes to is delivered as turns of its activation.</summary>
internal sealed class GrainStreamProvider(IStreamProvider provider, GrainActivation activation, Grain owner) : IStreamProvider
{
    public string Name => provider.Name;

    public IAsyncStream<T> GetStream<T>(StreamId id) => new GrainStream<T>(provider.GetStream<T>(id), activation, owner);
}
