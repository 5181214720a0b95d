namespace OrleansReplica.Protocol.Resp;

/// <summary>The reply protocol version a connection negotiated with HELLO.</summary>
public enum RespProtocol
{
    /// <summary>RESP2, the default.</summary>
    Resp2 = 2,

    /// <summary>RESP3, after HELLO 3.</summary>
    Resp3 = 3,
}
