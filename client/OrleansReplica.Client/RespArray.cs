namespace OrleansReplica.Client;

/// <summary>An array reply; <see cref="Items"/> is null for the RESP2 null array ("*-1").</summary>
public sealed record RespArray(IReadOnlyList<RespValue>? Items) : RespValue
{
    public static readonly RespArray Null = new((IReadOnlyList<RespValue>?)null);

    public RespArray(params RespValue[] items)
        : this((IReadOnlyList<RespValue>)items)
    {
    }

    public override bool IsNull => Items is null;

    public override IReadOnlyList<RespValue> AsList() => Items ?? [];

    public bool Equals(RespArray? other) => base.Equals(other) && RespSequence.Equal(Items, other.Items);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Items?.Count ?? -1);
}
