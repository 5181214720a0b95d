namespace OrleansReplica.Client;

/// <summary>A RESP3 map ("%n") or the attributes of a reply ("|n"), in wire order.</summary>
public sealed record RespMap(IReadOnlyList<KeyValuePair<RespValue, RespValue>> Pairs) : RespValue
{
    /// <summary>The value of the first pair whose key is a string equal to <paramref name="key"/>.</summary>
    public RespValue? this[string key] => Pairs.FirstOrDefault(p => p.Key.AsString() == key).Value;

    public override IReadOnlyList<RespValue> AsList() => Pairs.SelectMany(p => new[] { p.Key, p.Value }).ToArray();

    public bool Equals(RespMap? other) =>
        base.Equals(other)
        && Pairs.Count == other.Pairs.Count
        && Pairs.Zip(other.Pairs).All(p => p.First.Key.Equals(p.Second.Key) && p.First.Value.Equals(p.Second.Value));

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Pairs.Count);
}
