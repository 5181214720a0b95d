namespace OrleansReplica.Client;

/// <summary>An error reply ("-ERR ..." or a RESP3 blob error); <see cref="Message"/> is the text without the dash.</summary>
public sealed record RespError(string Message) : RespValue
{
    /// <summary>The first word of the message, such as "ERR" or "WRONGTYPE".</summary>
    public string Code => Message.Split(' ', 2)[0];

    public override string? AsString() => Message;
}
