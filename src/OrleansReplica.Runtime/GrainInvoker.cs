using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>Runtime handle of one grain's activation, handed to the grain's reference class.</summary>
public sealed class GrainInvoker<TGrainInterface> where TGrainInterface : class, IGrain
{
    internal GrainInvoker(GrainActivation activation) => Activation = activation;

    public GrainId GrainId => Activation.GrainId;

    internal GrainActivation Activation { get; }
}
