namespace OrleansReplica.Client;

/// <summary>The RESP3 null ("_").</summary>
public sealed record RespNull : RespValue
{
    public static readonly RespNull Instance = new();

    public override bool IsNull => true;
}
