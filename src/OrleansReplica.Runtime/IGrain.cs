namespace OrleansReplica.Runtime;

/// <summary>Marker for grain interfaces: virtual actors addressed by a key, one turn at a time.</summary>
public interface IGrain
{
}
