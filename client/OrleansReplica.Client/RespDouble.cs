using System.Globalization;

namespace OrleansReplica.Client;

/// <summary>A RESP3 double (",3.14"); <see cref="Text"/> keeps the digits as the server sent them.</summary>
public sealed record RespDouble(double Value) : RespValue
{
    public RespDouble(double value, string text)
        : this(value)
    {
        Text = text;
    }

    /// <summary>The text on the wire (redis-cli prints it unchanged).</summary>
    public string Text { get; init; } = Format(Value);

    public override string? AsString() => Text;

    public bool Equals(RespDouble? other) => base.Equals(other) && Value.Equals(other.Value);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Value);

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(value) => "nan",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
