namespace OrleansReplica.Client;

/// <summary>The server sent bytes that are not a valid RESP reply.</summary>
public sealed class RespProtocolException : Exception
{
    public RespProtocolException(string message)
        : base(message)
    {
    }
}
