namespace OrleansReplica.Runtime;

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReasonCode
{
    None,
    ApplicationRequested,
    ShuttingDown,
}
