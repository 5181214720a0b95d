namespace OrleansReplica.Protocol.Resp;

/// <summary>How far a partly received multibulk request was parsed, so that more bytes resume the parse instead of restarting it.</summary>
internal struct MultibulkProgress
{
    /// <summary>The arguments being filled; null when no request is in progress.</summary>
    public CommandArguments? Args;

    /// <summary>The declared argument count.</summary>
    public long Count;

    /// <summary>Length of the "*N\r\n" line, used to check that the same request is presented again.</summary>
    public long HeaderLength;

    /// <summary>Offset of the next bulk header, or of the pending bulk body when <see cref="BulkLength"/> is set.</summary>
    public long Position;

    /// <summary>Length of the bulk whose header was read but whose body has not fully arrived; -1 when none.</summary>
    public long BulkLength;
}
