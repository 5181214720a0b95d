namespace OrleansReplica.Runtime;

/// <summary>One subscription of an observer to a stream.</summary>
public abstract class StreamSubscriptionHandle<T>
{
    /// <summary>Stops delivery to the observer; items already queued for it are dropped.</summary>
    public abstract Task UnsubscribeAsync();
}
