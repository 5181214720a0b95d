namespace OrleansReplica.Protocol.Resp;

/// <summary>Outcome of reading one request from a receive buffer.</summary>
public enum RespParseStatus
{
    /// <summary>A whole request was read.</summary>
    Complete,

    /// <summary>The buffer holds only part of a request: wait for more bytes.</summary>
    Incomplete,

    /// <summary>The input violates the protocol: reply with the error and close the connection.</summary>
    Error,
}
