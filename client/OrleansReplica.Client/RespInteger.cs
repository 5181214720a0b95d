using System.Globalization;

namespace OrleansReplica.Client;

/// <summary>An integer reply (":42").</summary>
public sealed record RespInteger(long Value) : RespValue
{
    public override string? AsString() => Value.ToString(CultureInfo.InvariantCulture);
}
