namespace OrleansReplica.Protocol.Resp;

/// <summary>Redis 7.0's protocol error messages, without the "-ERR " prefix; after any of them the connection is closed.</summary>
public static class RespProtocolErrors
{
    public const string TooBigInlineRequest = "Protocol error: too big inline request";
    public const string UnbalancedQuotes = "Protocol error: unbalanced quotes in request";
    public const string TooBigMultibulkCount = "Protocol error: too big mbulk count string";
    public const string InvalidMultibulkLength = "Protocol error: invalid multibulk length";
    public const string UnauthenticatedMultibulkLength = "Protocol error: unauthenticated multibulk length";
    public const string TooBigBulkCount = "Protocol error: too big bulk count string";
    public const string InvalidBulkLength = "Protocol error: invalid bulk length";
    public const string UnauthenticatedBulkLength = "Protocol error: unauthenticated bulk length";

    /// <summary>"expected '$', got 'c'"; CR and LF show as a space, as Redis sanitizes formatted errors.</summary>
    public static string ExpectedBulkPrefix(byte got)
    {
        char shown = got is (byte)'\r' or (byte)'\n' ? ' ' : (char)got;
        return string.Concat("Protocol error: expected '$', got '", new string(shown, 1), "'");
    }
}
