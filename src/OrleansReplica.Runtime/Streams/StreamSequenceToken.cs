namespace OrleansReplica.Runtime;

/// <summary>Position of an item in a stream; tokens of one stream are totally ordered.</summary>
public abstract class StreamSequenceToken : IEquatable<StreamSequenceToken>, IComparable<StreamSequenceToken>
{
    public abstract bool Equals(StreamSequenceToken? other);

    public abstract int CompareTo(StreamSequenceToken? other);

    public override bool Equals(object? obj) => obj is StreamSequenceToken other && Equals(other);

    public abstract override int GetHashCode();
}
