namespace OrleansReplica.Runtime.Scheduling;

/// <summary>How to build a grain object (constructor injection) and the reference that calls it; a collectible one is forgotten when it deactivates.</summary>
internal sealed record GrainRegistration(Func<IServiceProvider, Grain> CreateGrain, Func<GrainActivation, object> CreateReference, bool Collectible = false);
