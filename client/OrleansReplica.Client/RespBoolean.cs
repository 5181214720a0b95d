namespace OrleansReplica.Client;

/// <summary>A RESP3 boolean ("#t" / "#f").</summary>
public sealed record RespBoolean(bool Value) : RespValue
{
    public override string? AsString() => Value ? "1" : "0";
}
