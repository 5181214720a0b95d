namespace OrleansReplica.Runtime;

/// <summary>What a queued stream event delivers to an observer.</summary>
internal enum StreamEventKind
{
    Next,
    Completed,
    Error,
}
