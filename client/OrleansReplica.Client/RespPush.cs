namespace OrleansReplica.Client;

/// <summary>A RESP3 out-of-band push message (">n"), e.g. a pub/sub message or an invalidation.</summary>
public sealed record RespPush(IReadOnlyList<RespValue> Items) : RespValue
{
    public override IReadOnlyList<RespValue> AsList() => Items;

    public bool Equals(RespPush? other) => base.Equals(other) && RespSequence.Equal(Items, other.Items);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Items.Count);
}
