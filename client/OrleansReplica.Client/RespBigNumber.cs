namespace OrleansReplica.Client;

/// <summary>A RESP3 big number ("(1234...") kept as its decimal text.</summary>
public sealed record RespBigNumber(string Value) : RespValue
{
    public System.Numerics.BigInteger ToBigInteger() => System.Numerics.BigInteger.Parse(Value, System.Globalization.CultureInfo.InvariantCulture);

    public override string? AsString() => Value;
}
