namespace OrleansReplica.Runtime.Scheduling;

/// <summary>Something waiting in an activation's queue for its turn.</summary>
internal abstract class TurnWork
{
    /// <summary>True when the work calls the grain object, so the activation must be activated first.</summary>
    public virtual bool NeedsActiveGrain => false;

    /// <summary>Runs inside the turn. Returns false when the work finishes later and then calls ExitTurn itself.</summary>
    public abstract bool Run();

    /// <summary>
    /// Reports the outcome of a run that finished synchronously. The pump calls it only once the turn has
    /// moved on, so a caller that resumes and calls again finds the activation idle (inline fast path).
    /// </summary>
    public virtual void Publish()
    {
    }

    /// <summary>Rejects the work without running it (its activation failed to activate).</summary>
    public virtual void Fail(Exception error)
    {
    }
}
