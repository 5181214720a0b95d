namespace OrleansReplica.Runtime;

/// <summary>Identity of a grain: the full name of its grain interface plus its key.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
