using OrleansReplica.Runtime.Scheduling;

namespace OrleansReplica.Runtime;

/// <summary>Exclusive hold on an activation's turn; the holder may use <see cref="Grain"/> directly until disposal.</summary>
public struct GrainTurnLease<TGrainInterface> : IDisposable where TGrainInterface : class
{
    private GrainActivation? activation;
    private readonly long turn;

    internal GrainTurnLease(GrainActivation activation, long turn, TGrainInterface grain)
    {
        this.activation = activation;
        this.turn = turn;
        Grain = grain;
    }

    public TGrainInterface Grain { get; }

    /// <summary>Ends the turn. Disposing twice, or a copy of a disposed lease, is harmless: the turn number no longer matches.</summary>
    public void Dispose()
    {
        activation?.ExitTurn(turn);
        activation = null;
    }
}
