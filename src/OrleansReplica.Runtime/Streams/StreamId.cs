namespace OrleansReplica.Runtime;

/// <summary>Identity of a stream within a provider.</summary>
public readonly record struct StreamId(string Namespace, string Key)
{
    public override string ToString() => $"{Namespace}/{Key}";
}
