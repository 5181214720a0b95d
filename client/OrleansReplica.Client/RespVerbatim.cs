namespace OrleansReplica.Client;

/// <summary>A RESP3 verbatim string ("=len\r\ntxt:..."): a three-letter format and the text.</summary>
public sealed record RespVerbatim(string Format, string Text) : RespValue
{
    public override string? AsString() => Text;
}
