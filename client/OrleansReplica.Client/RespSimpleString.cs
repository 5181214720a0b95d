namespace OrleansReplica.Client;

/// <summary>A status reply ("+OK").</summary>
public sealed record RespSimpleString(string Value) : RespValue
{
    public static readonly RespSimpleString Ok = new("OK");

    public override string? AsString() => Value;
}
