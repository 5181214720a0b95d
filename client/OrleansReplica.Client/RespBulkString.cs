using System.Text;

namespace OrleansReplica.Client;

/// <summary>A bulk string reply; <see cref="Value"/> is null for the RESP2 null bulk ("$-1").</summary>
public sealed record RespBulkString(byte[]? Value) : RespValue
{
    public static readonly RespBulkString Null = new((byte[]?)null);

    public RespBulkString(string utf8)
        : this(Encoding.UTF8.GetBytes(utf8))
    {
    }

    public override bool IsNull => Value is null;

    public override string? AsString() => Value is null ? null : Encoding.UTF8.GetString(Value);

    public bool Equals(RespBulkString? other) =>
        base.Equals(other) && (Value is null ? other.Value is null : other.Value is not null && Value.AsSpan().SequenceEqual(other.Value));

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Value?.Length ?? -1);
}
