namespace OrleansReplica.Client;

/// <summary>A RESP3 set ("~n"), in wire order.</summary>
public sealed record RespSet(IReadOnlyList<RespValue> Items) : RespValue
{
    public override IReadOnlyList<RespValue> AsList() => Items;

    public bool Equals(RespSet? other) => base.Equals(other) && RespSequence.Equal(Items, other.Items);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Items.Count);
}
