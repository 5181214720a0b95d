namespace OrleansReplica.Runtime;

/// <summary>A sequence token that is a 64-bit number (the provider's own numbering, or e.g. a replication offset).</summary>
public sealed class LongSequenceToken(long sequenceNumber) : StreamSequenceToken
{
    public long SequenceNumber { get; } = sequenceNumber;

    public override bool Equals(StreamSequenceToken? other) =>
        other is LongSequenceToken token && token.SequenceNumber == SequenceNumber;

    public override int CompareTo(StreamSequenceToken? other) => other switch
    {
        null => 1,
        LongSequenceToken token => SequenceNumber.CompareTo(token.SequenceNumber),
        _ => throw new ArgumentException($"Cannot compare a {nameof(LongSequenceToken)} with a {other.GetType().Name}.", nameof(other)),
    };

    public override int GetHashCode() => SequenceNumber.GetHashCode();

    public override string ToString() => SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
