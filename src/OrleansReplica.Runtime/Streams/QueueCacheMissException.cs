namespace OrleansReplica.Runtime;

/// <summary>Thrown when a subscription asks to replay from a token older than the provider's cache still holds.</summary>
public sealed class QueueCacheMissException : Exception
{
    public QueueCacheMissException()
    {
    }

    public QueueCacheMissException(string message)
        : base(message)
    {
    }

    public QueueCacheMissException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
